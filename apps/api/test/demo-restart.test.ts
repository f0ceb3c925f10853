import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, freePort, type Database } from '@rolegate/db';
import { signInByHttp } from '@rolegate/dev-idp';
import { TestBrowser } from './support/http-client.js';
import { createTestDatabase } from './support/stack.js';

/*
 * Regression: the demo re-applied its mappings file at every start, undoing an
 * admin's renames, duration changes and deletions while the change history
 * still showed the edits, and printed new passwords at every start. Now the
 * demo seeds only an empty database and keeps its passwords in the data
 * directory (0600). Proven with real processes: stop, start again, same
 * database and data directory.
 */
describe('demo mode across a real restart (same database, same data directory)', () => {
  const repoRoot = path.resolve(import.meta.dirname, '../../..');
  let direct: Database;
  let dbUrl: string;
  let dataDir: string;
  let port: number;
  const children: ChildProcess[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    dbUrl = await createTestDatabase();
    direct = createDatabase({ url: dbUrl, max: 2 });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-demo-'));
    port = await freePort();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await direct?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ child: ChildProcess; output: string[] }> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: dbUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const output: string[] = [];
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`demo exited ${child.exitCode}: ${output.join('')}`);
      if (output.join('').includes('Demo sign-ins')) return { child, output };
      if (Date.now() > deadline) throw new Error(`demo not ready: ${output.join('')}`);
      await sleep(100);
    }
  }

  async function stop(child: ChildProcess) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  const passwordOf = (output: string[], user: string) => {
    const m = new RegExp(`^\\s+${user}\\s+(\\S+)\\s+groups:`, 'm').exec(output.join(''));
    if (!m) throw new Error(`no password printed for ${user}: ${output.join('')}`);
    return m[1]!;
  };

  async function signIn(user: string, password: string) {
    const b = new TestBrowser(`http://127.0.0.1:${port}`);
    const startRes = await b.get('/auth/login?provider=oidc');
    const done = await b.get(await signInByHttp(startRes.location!, user, password));
    expect(done.status).toBe(303);
    expect((await b.me()).status).toBe(200);
    return b;
  }

  it('seeds an empty database once; admin renames, duration changes and deletions survive the restart; passwords stay', { timeout: 180_000 }, async () => {
    const first = await start();
    const password = passwordOf(first.output, 'bob');
    expect((await stat(path.join(dataDir, 'demo-passwords.json'))).mode & 0o777).toBe(0o600);
    const seeded = (await direct.pool.query(`SELECT count(*)::int AS n FROM role_mappings`)).rows[0].n as number;
    expect(seeded).toBeGreaterThan(2);

    const bob = await signIn('bob', password);
    const mappings = (await bob.get('/api/admin/mappings')).json();
    expect(mappings.managedBy).toBeNull();
    const [edited, deleted] = mappings.items as { id: string; accountId: string }[];
    expect(
      (await bob.request('PUT', `/api/admin/mappings/${edited!.id}`, { json: { maxDurationSeconds: 1800, description: 'edited by an admin' } })).status,
    ).toBe(200);
    expect((await bob.request('DELETE', `/api/admin/mappings/${deleted!.id}`)).status).toBe(204);
    expect((await bob.request('PUT', `/api/admin/accounts/${edited!.accountId}`, { json: { name: 'renamed by an admin' } })).status).toBe(200);
    const before = (await direct.pool.query(`SELECT id, "group", role_arn, max_duration_seconds, description, enabled FROM role_mappings ORDER BY id`)).rows;
    const changes = (await direct.pool.query(`SELECT count(*)::int AS n FROM admin_changes`)).rows[0].n as number;
    await stop(first.child);

    const second = await start();
    expect(passwordOf(second.output, 'bob')).toBe(password);
    expect(second.output.join('')).toContain('demo mappings not seeded');
    expect((await direct.pool.query(`SELECT id, "group", role_arn, max_duration_seconds, description, enabled FROM role_mappings ORDER BY id`)).rows).toEqual(
      before,
    );
    expect((await direct.pool.query(`SELECT name FROM accounts WHERE id = $1`, [edited!.accountId])).rows[0].name).toBe('renamed by an admin');
    expect((await direct.pool.query(`SELECT count(*)::int AS n FROM admin_changes`)).rows[0].n).toBe(changes);
    // The same password signs in after the restart.
    await signIn('bob', password);
    await stop(second.child);
  });
});
