import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, freePort, type Database } from '@rolegate/db';
import { signInByHttp } from '@rolegate/dev-idp';
import { TestBrowser } from './support/http-client.js';
import { createTestDatabase } from './support/stack.js';

/*
 * Production runs the compiled bundle (apps/api/build.mjs → dist/main.js) with
 * plain node, not the TypeScript sources. This builds it into a folder of its
 * own, starts it as a real process (demo mode: the dev IdP and AWS emulator
 * come from the bundle's demo chunk), signs in over OIDC and takes a console
 * grant: the bundle carries everything a grant needs, no TypeScript loader
 * is involved, and the write-ahead row is there with its outcome.
 */
describe('the compiled service (apps/api/build.mjs)', () => {
  const repoRoot = path.resolve(import.meta.dirname, '../../..');
  const outName = `.rolegate-test-dist-${randomBytes(4).toString('hex')}`;
  const outDir = path.join(repoRoot, 'apps/api', outName);
  let direct: Database;
  let dbUrl: string;
  let dataDir: string;
  let child: ChildProcess | undefined;
  const output: string[] = [];

  beforeAll(async () => {
    const build = spawnSync(process.execPath, ['apps/api/build.mjs', `--outdir=${outName}`], { cwd: repoRoot, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    dbUrl = await createTestDatabase();
    direct = createDatabase({ url: dbUrl, max: 2 });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-dist-'));
  }, 120_000);
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await direct?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  it('is one ES module bundle with its source maps and no TypeScript', async () => {
    const files = await readdir(outDir);
    expect(files).toContain('main.js');
    expect(files).toContain('main.js.map');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    // The workspace packages are inside: nothing imports @rolegate/* (TypeScript sources) at run time.
    const main = await readFile(path.join(outDir, 'main.js'), 'utf8');
    expect(main).not.toMatch(/from\s*["']@rolegate\//);
  });

  it('loads the SAML libraries, the AWS credential chain, the IAM SDK, nodemailer and the Slack SDK only when they are used (idle memory)', async () => {
    // Everything main.js imports statically (`import … from "./x.js"` and bare `import "./x.js"`), transitively: what every process loads at start.
    const loaded = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = await readFile(path.join(outDir, file), 'utf8');
      for (const m of text.matchAll(/^import\s(?:[^;]*?from\s*)?"\.\/([^"]+\.js)"/gm)) await visit(m[1]!);
    };
    await visit('main.js');
    const files = (await readdir(outDir)).filter((f) => f.endsWith('.js'));
    const source = async (names: string[]) => (await Promise.all(names.map((f) => readFile(path.join(outDir, f), 'utf8')))).join('\n');
    const atStart = await source([...loaded]);
    const onDemand = await source(files.filter((f) => !loaded.has(f)));
    for (const lib of [
      'node_modules/@node-saml/node-saml/',
      'node_modules/xml-crypto/',
      'node_modules/@xmldom/xmldom/',
      'node_modules/@aws-sdk/credential-provider-node/',
      // IAM (control roles: revocation policies, mapping checks): only once an account has a control role; the SDK's HTTP stack only with it or the credential chain.
      'node_modules/@aws-sdk/client-iam/',
      'node_modules/@smithy/node-http-handler/',
      // Notification channels: only once a message goes out by email or Slack.
      'node_modules/nodemailer/',
      'node_modules/@slack/web-api/',
    ]) {
      expect(atStart, lib).not.toContain(lib);
      expect(onDemand, lib).toContain(lib);
    }
    // The full STS client is gone from the service: one signed Query call is all it sends (grants and control roles alike).
    expect(atStart + onDemand).not.toContain('node_modules/@aws-sdk/client-sts/');
  });

  it('starts under plain node and serves a console grant end to end', { timeout: 120_000 }, async () => {
    const port = await freePort();
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
    // No --import tsx: a source file reached at run time would fail to load.
    child = spawn(process.execPath, [path.join(outDir, 'main.js')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.join('').includes('Demo sign-ins')) {
      if (child.exitCode !== null) throw new Error(`the compiled service exited ${child.exitCode}: ${output.join('')}`);
      if (Date.now() > deadline) throw new Error(`the compiled service is not ready: ${output.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const password = /^\s+alice\s+(\S+)\s+groups:/m.exec(output.join(''))?.[1];
    expect(password).toBeDefined();

    const b = new TestBrowser(`http://127.0.0.1:${port}`);
    const login = await b.get('/auth/login?provider=oidc');
    expect((await b.get(await signInByHttp(login.location!, 'alice', password!))).status).toBe(303);
    expect((await b.me()).status).toBe(200);
    const ents = (await b.get('/api/entitlements')).json().items as { id: string; requireReason: boolean }[];
    const ent = ents.find((e) => !e.requireReason)!;
    const res = await b.post('/api/grants', { entitlementId: ent.id, kind: 'console' });
    expect(res.status).toBe(201);
    const body = res.json() as { grant: { id: string; status: string }; consoleUrl: string };
    expect(body.grant.status).toBe('issued');
    expect(body.consoleUrl).toContain('SigninToken=');
    const row = (await direct.pool.query(`SELECT status, access_key_id FROM grants WHERE id = $1`, [body.grant.id])).rows[0];
    expect(row.status).toBe('issued');
    expect(row.access_key_id).toMatch(/^ASIA/);
  });
});
