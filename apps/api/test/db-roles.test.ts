import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeRoleProblems } from '@rolegate/db';
import { bearerHashKey, keyedSecretHash, newCliToken } from '../src/auth/cli/fns.js';
import { bearer, CLI_TEST_MAPPINGS, cliTokenFor } from './cli-support.js';
import { startStack, type Stack } from './support/stack.js';

/*
 * Issue 10 §3: the audit trail cannot be rewritten by the application. The
 * app runs as a least-privilege runtime role (the whole stack does, see
 * test/support/stack.ts); here that role's own connection tries what an
 * attacker with the app's database password (or an SQL injection) would.
 */

const SESSION_SECRET = randomBytes(32).toString('base64url');
let stack: Stack;
let runtime: pg.Client;
let grantId: string;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: CLI_TEST_MAPPINGS, env: { SESSION_SECRET } });
  runtime = new pg.Client({ connectionString: stack.runtimeUrl });
  await runtime.connect();
  const alice = await stack.signIn('alice');
  const ids = await stack.mappingIds();
  const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console', durationSeconds: 3600 });
  expect(res.status).toBe(201);
  grantId = (res.json() as { grant: { id: string } }).grant.id;
});
afterAll(async () => {
  await runtime?.end().catch(() => {});
  await stack?.close();
});

const grantRow = async () => (await stack.sql.query(`SELECT * FROM grants WHERE id = $1`, [grantId])).rows[0];

describe('the runtime role', () => {
  it('owns nothing and is not a superuser (it connects as a member of rolegate_runtime)', async () => {
    expect(await runtimeRoleProblems(stack.runtimeUrl)).toEqual([]);
    const me = await runtime.query(
      `SELECT rolsuper, pg_has_role(current_user, 'rolegate_runtime', 'MEMBER') AS member FROM pg_roles WHERE rolname = current_user`,
    );
    expect(me.rows[0]).toEqual({ rolsuper: false, member: true });
    // …and it is the role the app itself connects as.
    const app = await stack.database.pool.query(`SELECT current_user AS u`);
    expect(app.rows[0].u).toBe(new URL(stack.runtimeUrl).username);
  });

  // Attack: a table owner can switch the append-only trigger off and then rewrite history.
  it('cannot disable the change-log trigger, nor rewrite, delete or truncate change-log rows', async () => {
    const inserted = await runtime.query(
      `INSERT INTO admin_changes (id, actor_email, action, entity, entity_id, after) VALUES (gen_random_uuid(), 'a@example.com', 'create', 'mapping', 'x', '{}') RETURNING id`,
    );
    const id = inserted.rows[0].id as string;
    await expect(runtime.query(`ALTER TABLE admin_changes DISABLE TRIGGER admin_changes_no_update_delete`)).rejects.toThrow(/must be owner/);
    await expect(runtime.query(`ALTER TABLE admin_changes DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
    await expect(runtime.query(`UPDATE admin_changes SET actor_email = 'someone-else@example.com' WHERE id = $1`, [id])).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`DELETE FROM admin_changes WHERE id = $1`, [id])).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`TRUNCATE admin_changes`)).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`DROP TABLE admin_changes`)).rejects.toThrow(/must be owner/);
    const row = (await stack.sql.query(`SELECT actor_email FROM admin_changes WHERE id = $1`, [id])).rows[0];
    expect(row.actor_email).toBe('a@example.com');
  });

  // Attack: hide who took which role by rewriting, deleting or "failing" an issued grant.
  it('cannot delete, truncate or rewrite an issued grant', async () => {
    const before = await grantRow();
    expect(before.status).toBe('issued');
    await expect(runtime.query(`UPDATE grants SET user_email = 'nobody@example.com' WHERE id = $1`, [grantId])).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`UPDATE grants SET role_arn = 'arn:aws:iam::111111111111:role/ReadOnly' WHERE id = $1`, [grantId])).rejects.toThrow(
      /permission denied/,
    );
    await expect(runtime.query(`UPDATE grants SET user_id = user_id WHERE id = $1`, [grantId])).rejects.toThrow(/permission denied/);
    // Outcome columns are writable only while the row is pending: an outcome is recorded once.
    await expect(runtime.query(`UPDATE grants SET status = 'failed', error = 'never happened' WHERE id = $1`, [grantId])).rejects.toThrow(/append-only/);
    await expect(runtime.query(`UPDATE grants SET access_key_id = 'ASIAFORGED' WHERE id = $1`, [grantId])).rejects.toThrow(/append-only/);
    await expect(runtime.query(`DELETE FROM grants WHERE id = $1`, [grantId])).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`TRUNCATE grants`)).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`ALTER TABLE grants DISABLE TRIGGER grants_outcome_once`)).rejects.toThrow(/must be owner/);
    await expect(runtime.query(`SELECT * FROM "_prisma_migrations"`)).rejects.toThrow(/permission denied/);
    expect(await grantRow()).toEqual(before);
  });

  // Attack: un-revoke a grant (delete its revocation row, rewrite whom it names, or send it back to requested).
  it('cannot delete a revocation, rewrite what it revokes, or move its state backwards', async () => {
    const alice = await stack.signIn('alice');
    expect((await alice.post(`/api/grants/${grantId}/revoke`, { reason: 'test' })).status).toBe(202);
    const row = (await stack.sql.query(`SELECT * FROM revocations WHERE grant_id = $1`, [grantId])).rows[0];
    await expect(runtime.query(`DELETE FROM revocations WHERE id = $1`, [row.id])).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`TRUNCATE revocations`)).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`UPDATE revocations SET grant_id = gen_random_uuid() WHERE id = $1`, [row.id])).rejects.toThrow(/permission denied/);
    await expect(runtime.query(`UPDATE revocations SET expires_at = now() WHERE id = $1`, [row.id])).rejects.toThrow(/permission denied/);
    // The state columns are the runtime role's to write, forward only.
    await runtime.query(`UPDATE revocations SET state = 'applied', policy_version = 'v9' WHERE id = $1`, [row.id]);
    await expect(runtime.query(`UPDATE revocations SET state = 'requested' WHERE id = $1`, [row.id])).rejects.toThrow(/does not go back/);
    await runtime.query(`UPDATE revocations SET state = 'pruned' WHERE id = $1`, [row.id]);
    await expect(runtime.query(`UPDATE revocations SET state = 'applied' WHERE id = $1`, [row.id])).rejects.toThrow(/does not come back/);
    await expect(runtime.query(`ALTER TABLE revocations DISABLE TRIGGER revocations_state_forward`)).rejects.toThrow(/must be owner/);
    expect((await stack.sql.query(`SELECT grant_id, state FROM revocations WHERE id = $1`, [row.id])).rows[0]).toEqual({ grant_id: grantId, state: 'pruned' });
  });

  it('still does its housekeeping: expired sessions, login transactions, SAML replay rows and rate-limit windows are deleted', async () => {
    for (const sql of [
      `DELETE FROM web_sessions WHERE expires_at < now()`,
      `DELETE FROM login_transactions WHERE expires_at < now()`,
      `DELETE FROM saml_requests WHERE expires_at < now()`,
      `DELETE FROM saml_assertions WHERE expires_at < now()`,
      `DELETE FROM rate_limit_hits WHERE reset_at <= now()`,
      `DELETE FROM cli_login_requests WHERE expires_at < now()`,
    ]) {
      await expect(runtime.query(sql)).resolves.toBeDefined();
    }
  });
});

describe('CLI token hashes are keyed', () => {
  // Attack: whoever can write one row (SQL injection, the runtime password) mints a token
  // by inserting sha256(a secret of their own) — the hash must need the server's key.
  it('a token row inserted by hand with a plain SHA-256 does not authenticate', async () => {
    const alice = await stack.signIn('alice');
    const issued = await cliTokenFor(alice);
    expect((await bearer(stack.baseUrl, issued.token, 'GET', '/api/entitlements')).status).toBe(200);
    const stored = (await stack.sql.query(`SELECT token_hash FROM cli_tokens WHERE id = $1`, [issued.tokenId])).rows[0].token_hash as string;
    expect(stored).not.toBe(createHash('sha256').update(issued.token).digest('base64url'));

    const forge = async (hash: string) => {
      await runtime.query(
        `INSERT INTO cli_tokens (id, user_id, token_hash, label, idp, subject, email, display_name, groups, expires_at)
         SELECT gen_random_uuid(), user_id, $1, 'forged', idp, subject, email, display_name, groups, expires_at FROM cli_tokens WHERE id = $2`,
        [hash, issued.tokenId],
      );
    };
    const grantsBefore = (await stack.grantRows()).length;
    const plain = newCliToken();
    await forge(createHash('sha256').update(plain, 'utf8').digest('base64url'));
    const res = await bearer(stack.baseUrl, plain, 'POST', '/api/grants', { json: { entitlementId: (await stack.mappingIds()).Developer, kind: 'cli' } });
    expect(res.status).toBe(401);
    expect((await bearer(stack.baseUrl, plain, 'GET', '/api/entitlements')).status).toBe(401);
    expect((await stack.grantRows()).length).toBe(grantsBefore);

    // The same row with the server's keyed hash is accepted: the key is what stops the forgery.
    const keyed = newCliToken();
    await forge(keyedSecretHash(bearerHashKey(SESSION_SECRET), keyed));
    expect((await bearer(stack.baseUrl, keyed, 'GET', '/api/entitlements')).status).toBe(200);
  });
});
