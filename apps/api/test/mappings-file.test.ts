import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEmulator, type AwsEmulator } from '@rolegate/aws-emulator';
import { createAdminMappingRepository, createDatabase, freePort, type Database } from '@rolegate/db';
import { applyMappingsFile } from '../src/mappings-file.js';
import { startDevOidcProvider, type DevOidcProvider } from '@rolegate/dev-idp';
import { createTestDatabase, startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

/*
 * One source of truth for mappings. The attack / accident this stops: with
 * MAPPINGS_FILE set, an admin's emergency disable or delete was silently
 * undone by the next restart or new replica while the change log still showed
 * the disable. Now the file is the truth (applied with pruning, every change
 * logged as `mappings-file` with the file's SHA-256) and admin writes are
 * refused with 409 instead of being quietly reverted later.
 */

const FILE_V1 = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/ReadOnly", maxDurationSeconds: 3600, requireReason: true }
  - { group: platform-admins, roleArn: "arn:aws:iam::222222222222:role/platform/Administrator", maxDurationSeconds: 3600 }
`;
const FILE_V2 = `
accounts:
  - { id: "111111111111", name: sandbox }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 7200 }
`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MAPPINGS_FILE set: the admin API refuses every write (409 MAPPINGS_MANAGED_BY_FILE)', () => {
  let stack: Stack;
  let bob: TestBrowser; // platform-admins → admin
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-mf-'));
    file = path.join(dir, 'mappings.yaml');
    await writeFile(file, FILE_V1);
    stack = await startStack({ mappingsYaml: FILE_V1, env: { MAPPINGS_FILE: file } });
    bob = await stack.signIn('bob');
  });
  afterAll(async () => {
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const state = async () => ({
    mappings: (await stack.sql.query(`SELECT id, "group", role_arn, enabled, max_duration_seconds FROM role_mappings ORDER BY id`)).rows,
    accounts: (await stack.sql.query(`SELECT id, name FROM accounts ORDER BY id`)).rows,
    changes: (await stack.sql.query(`SELECT count(*)::int AS n FROM admin_changes`)).rows[0].n as number,
  });

  it('refuses create, edit, disable, delete, import (also dry run) and account renames, and changes nothing', async () => {
    const id = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
    const before = await state();
    const writes: [string, string, unknown?][] = [
      ['POST', '/api/admin/mappings', { group: 'x', roleArn: 'arn:aws:iam::111111111111:role/Developer' }],
      ['PUT', `/api/admin/mappings/${id}`, { maxDurationSeconds: 900 }],
      ['PUT', `/api/admin/mappings/${id}`, { enabled: false }],
      ['DELETE', `/api/admin/mappings/${id}`],
      ['POST', '/api/admin/mappings/import', { yaml: 'mappings: []' }],
      ['POST', '/api/admin/mappings/import?dryRun=1', { yaml: 'mappings: []' }],
      ['PUT', '/api/admin/accounts/111111111111', { name: 'renamed' }],
      ['PUT', '/api/admin/accounts/333333333333', { name: 'new' }],
    ];
    for (const [method, url, body] of writes) {
      const res = await bob.request(method, url, body === undefined ? {} : { json: body });
      expect(res.status, `${method} ${url}`).toBe(409);
      expect(res.json().error.code).toBe('MAPPINGS_MANAGED_BY_FILE');
      expect(res.json().error.message).toContain(file);
    }
    expect(await state()).toEqual(before);
  });

  it('still lists and exports, and says which file manages the mappings', async () => {
    const list = await bob.get('/api/admin/mappings');
    expect(list.status).toBe(200);
    expect(list.json().managedBy).toBe(file);
    expect(list.json().items).toHaveLength(3);
    const exported = await bob.get('/api/admin/mappings/export');
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('arn:aws:iam::222222222222:role/platform/Administrator');
  });
});

describe('MAPPINGS_FILE unset: the database is the truth', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mappingsYaml: FILE_V1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('admin writes are allowed and the list says nobody else manages the mappings', async () => {
    const bob = await stack.signIn('bob');
    const id = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
    const list = await bob.get('/api/admin/mappings');
    expect(list.json().managedBy).toBeNull();
    const res = await bob.request('PUT', `/api/admin/mappings/${id}`, { json: { enabled: false } });
    expect(res.status).toBe(200);
    expect((await stack.sql.query(`SELECT enabled FROM role_mappings WHERE id = $1`, [id])).rows[0].enabled).toBe(false);
  });
});

describe('the real process with MAPPINGS_FILE: two replicas at once, SIGHUP, pruning', () => {
  const repoRoot = path.resolve(import.meta.dirname, '../../..');
  const brokerKey = { id: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secret: randomBytes(30).toString('base64url') };
  let aws: AwsEmulator;
  let idp: DevOidcProvider;
  let direct: Database;
  let dbUrl: string;
  let dir: string;
  let file: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    aws = await startAwsEmulator({
      callers: [{ accessKeyId: brokerKey.id, secretAccessKey: brokerKey.secret, arn: 'arn:aws:iam::000000000000:user/rolegate-broker' }],
      roles: [],
    });
    idp = await startDevOidcProvider({
      clients: [{ clientId: 'rolegate-mf', clientSecret: 'x'.repeat(32), redirectUris: ['http://127.0.0.1:1/auth/oidc/callback'] }],
    });
    dbUrl = await createTestDatabase();
    direct = createDatabase({ url: dbUrl, max: 2 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-mf-'));
    file = path.join(dir, 'mappings.yaml');
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await direct?.close();
    await idp?.close();
    await aws?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function startServer(): Promise<{ child: ChildProcess; output: string[] }> {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ROLEGATE_DEMO: '0',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseUrl,
      DATABASE_URL: dbUrl,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'rolegate-mf',
      OIDC_CLIENT_SECRET: 'x'.repeat(32),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: brokerKey.id,
      AWS_SECRET_ACCESS_KEY: brokerKey.secret,
      AWS_ENDPOINT_URL_STS: aws.stsUrl,
      FEDERATION_URL: aws.federationUrl,
      MAPPINGS_FILE: file,
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const output: string[] = [];
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const deadline = Date.now() + 45_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${output.join('')}`);
      if ((await fetch(`${baseUrl}/readyz`).catch(() => null))?.status === 200) return { child, output };
      if (Date.now() > deadline) throw new Error(`server not ready: ${output.join('')}`);
      await sleep(100);
    }
  }

  const q = async (sql: string, params: unknown[] = []) => (await direct.pool.query(sql, params)).rows;

  it(
    'two replicas starting together apply the file once (one set of change-log entries) and prune what the file does not list',
    { timeout: 120_000 },
    async () => {
      // State made behind the file's back: an account and a mapping the file does not list,
      // and a file mapping "disabled in an emergency" by hand.
      await q(`INSERT INTO accounts (id, name, updated_at) VALUES ('999999999999', 'stray', now()), ('111111111111', 'old name', now())`);
      await q(
        `INSERT INTO role_mappings (id, "group", account_id, role_arn, max_duration_seconds, require_reason, description, enabled, updated_at) VALUES
       (gen_random_uuid(), 'engineers', '999999999999', 'arn:aws:iam::999999999999:role/Stray', 3600, false, '', true, now()),
       (gen_random_uuid(), 'engineers', '111111111111', 'arn:aws:iam::111111111111:role/Developer', 14400, false, '', false, now())`,
      );
      await writeFile(file, FILE_V1);

      const [a, b] = await Promise.all([startServer(), startServer()]);
      expect(a.output.join('')).toContain('mappings file applied');
      expect(b.output.join('')).toContain('mappings file applied');

      const mappings = await q(`SELECT "group", role_arn, enabled, max_duration_seconds FROM role_mappings ORDER BY role_arn COLLATE "C"`);
      expect(mappings).toEqual([
        { group: 'engineers', role_arn: 'arn:aws:iam::111111111111:role/Developer', enabled: true, max_duration_seconds: 14400 },
        { group: 'engineers', role_arn: 'arn:aws:iam::222222222222:role/ReadOnly', enabled: true, max_duration_seconds: 3600 },
        { group: 'platform-admins', role_arn: 'arn:aws:iam::222222222222:role/platform/Administrator', enabled: true, max_duration_seconds: 3600 },
      ]);
      expect(await q(`SELECT id, name FROM accounts ORDER BY id`)).toEqual([
        { id: '111111111111', name: 'sandbox' },
        { id: '222222222222', name: 'production' },
      ]);

      // Exactly one set of entries: 2 mappings created, Developer re-enabled, Stray deleted,
      // 111… renamed, 222… created, 999… deleted — each once, although two processes applied the file.
      const changes = await q(`SELECT actor_id, actor_email, action, entity, entity_id, source_file, source_sha256 FROM admin_changes ORDER BY created_at, id`);
      const summary = changes.map((c) => `${c.action} ${c.entity}`).sort();
      expect(summary).toEqual(
        ['create account', 'create mapping', 'create mapping', 'delete account', 'delete mapping', 'update account', 'update mapping'].sort(),
      );
      for (const c of changes) {
        expect(c).toMatchObject({ actor_id: null, actor_email: 'mappings-file', source_file: file, source_sha256: sha256(FILE_V1) });
      }
    },
  );

  it(
    'SIGHUP re-applies the edited file (with pruning); a broken file on SIGHUP changes nothing and the process keeps serving',
    { timeout: 60_000 },
    async () => {
      const server = children.at(-1)!;
      const logged = (await q(`SELECT count(*)::int AS n FROM admin_changes`))[0].n as number;

      await writeFile(file, 'mappings: [ { group: engineers, roleArn: not-an-arn } ]\n');
      server.kill('SIGHUP');
      await sleep(1500);
      expect(server.exitCode).toBeNull();
      expect((await q(`SELECT count(*)::int AS n FROM role_mappings`))[0].n).toBe(3);
      expect((await q(`SELECT count(*)::int AS n FROM admin_changes`))[0].n).toBe(logged);

      await writeFile(file, FILE_V2);
      server.kill('SIGHUP');
      await expect
        .poll(async () => q(`SELECT role_arn, max_duration_seconds FROM role_mappings ORDER BY role_arn`), { timeout: 15_000, interval: 100 })
        .toEqual([{ role_arn: 'arn:aws:iam::111111111111:role/Developer', max_duration_seconds: 7200 }]);
      expect(await q(`SELECT id FROM accounts`)).toEqual([{ id: '111111111111' }]);
      const fresh = await q(`SELECT action, entity, source_sha256 FROM admin_changes WHERE source_sha256 = $1`, [sha256(FILE_V2)]);
      expect(fresh.map((c) => `${c.action} ${c.entity}`).sort()).toEqual(['delete account', 'delete mapping', 'delete mapping', 'update mapping']);
      expect(server.exitCode).toBeNull();
    },
  );
});

describe('applying the file from several instances at the same moment', () => {
  it('serialises on the admin-write advisory lock: every instance succeeds, each change is made and logged once', { timeout: 60_000 }, async () => {
    const url = await createTestDatabase();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-mf-'));
    const file = path.join(dir, 'mappings.yaml');
    // Many mappings: each apply is a long transaction, so unserialised applies would overlap
    // (and collide on the unique (group, role) index or log every change twice).
    const lines = Array.from({ length: 60 }, (_, i) => `  - { group: g${i}, roleArn: "arn:aws:iam::111111111111:role/R${i}" }`);
    const text = `accounts:\n  - { id: "111111111111", name: sandbox }\nmappings:\n${lines.join('\n')}\n`;
    await writeFile(file, text);
    const instances = Array.from({ length: 4 }, () => createDatabase({ url, max: 2 }));
    try {
      const results = await Promise.all(instances.map((d) => applyMappingsFile(file, createAdminMappingRepository(d.prisma))));
      expect(results.map((r) => r.created).sort((x, y) => y - x)).toEqual([60, 0, 0, 0]);
      const rows = (await instances[0]!.pool.query(`SELECT action, entity, count(*)::int AS n FROM admin_changes GROUP BY 1, 2 ORDER BY 1, 2`)).rows;
      expect(rows).toEqual([
        { action: 'create', entity: 'account', n: 1 },
        { action: 'create', entity: 'mapping', n: 60 },
      ]);
      expect((await instances[0]!.pool.query(`SELECT count(*)::int AS n FROM role_mappings`)).rows[0].n).toBe(60);
    } finally {
      await Promise.all(instances.map((d) => d.close()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
