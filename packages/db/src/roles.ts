import pg from 'pg';

/** The NOLOGIN group role migrations grant the app's privileges to (prisma/migrations/20261207120000_runtime_role). */
export const RUNTIME_GROUP_ROLE = 'rolegate_runtime';

export interface LoginRole {
  name: string;
  password: string;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * As a superuser (`adminUrl`): creates, or resets the passwords of, the two
 * login roles of the two-role model: `owner` (runs migrations, owns the
 * tables; no superuser) and `runtime` (what the app connects as: a member of
 * rolegate_runtime, owning nothing). Used by the embedded Postgres and the
 * test stack; a production DBA does the same by hand (docs/deploy.md).
 */
export async function ensureLoginRoles(adminUrl: string, roles: { owner: LoginRole; runtime: LoginRole }): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const exists = async (name: string) => ((await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0;
    if (!(await exists(RUNTIME_GROUP_ROLE))) await c.query(`CREATE ROLE ${ident(RUNTIME_GROUP_ROLE)} NOLOGIN`).catch(() => {});
    for (const r of [roles.owner, roles.runtime]) {
      const verb = (await exists(r.name)) ? 'ALTER' : 'CREATE';
      await c.query(`${verb} ROLE ${ident(r.name)} LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS PASSWORD ${c.escapeLiteral(r.password)}`);
    }
    await c.query(`GRANT ${ident(RUNTIME_GROUP_ROLE)} TO ${ident(roles.runtime.name)}`);
  });
}

/**
 * As the owner (`ownerUrl`): makes `runtimeUser` a member of rolegate_runtime
 * when it is not one yet. Needs ADMIN on rolegate_runtime (its creator has it);
 * otherwise a DBA grants the membership and this is a no-op.
 * @throws Error when the membership is missing and cannot be granted.
 */
export async function grantRuntimeMembership(ownerUrl: string, runtimeUser: string): Promise<void> {
  await withClient(ownerUrl, async (c) => {
    const member = await c.query(`SELECT pg_has_role($1, $2, 'MEMBER') AS m`, [runtimeUser, RUNTIME_GROUP_ROLE]);
    if (member.rows[0]?.m) return;
    await c.query(`GRANT ${ident(RUNTIME_GROUP_ROLE)} TO ${ident(runtimeUser)}`);
  });
}

/**
 * What makes the role of `url` more than a least-privilege runtime role:
 * superuser, owner of a table in its schema (an owner can DISABLE TRIGGER or
 * rewrite the audit trail), or not a member of rolegate_runtime. Empty when
 * the role is fit to run the app.
 */
export async function runtimeRoleProblems(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const problems: string[] = [];
    const me = await c.query<{ name: string; su: boolean; member: boolean }>(
      `SELECT current_user AS name, rolsuper AS su, pg_has_role(current_user, $1, 'MEMBER') AS member FROM pg_roles WHERE rolname = current_user`,
      [RUNTIME_GROUP_ROLE],
    );
    const row = me.rows[0];
    if (row?.su) problems.push(`${row.name} is a superuser`);
    if (row && !row.member) problems.push(`${row.name} is not a member of ${RUNTIME_GROUP_ROLE}`);
    const owned = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND pg_has_role(current_user, c.relowner, 'USAGE')`,
    );
    if ((owned.rows[0]?.n ?? 0) > 0)
      problems.push(`${row?.name ?? 'the role'} owns (or inherits ownership of) ${owned.rows[0]!.n} relations and could rewrite the audit trail`);
    return problems;
  });
}

/** The user name of a postgresql:// URL. */
export function userOfUrl(url: string): string {
  return decodeURIComponent(new URL(url).username);
}
