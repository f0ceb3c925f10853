// The real `rolegate` CLI (spawned with node) against the whole stack, and a
// real AWS SDK client reading the profiles `rolegate configure` wrote.
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromProcess } from '@aws-sdk/credential-providers';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { CLI_BIN, CLI_TEST_MAPPINGS as MAPPINGS, decideDevice, formFields, postForm, runCli, startCli } from './cli-support.js';

const UNRELATED = `[default]
region = eu-west-1
output = json

[profile work]
# my hand-written profile
role_arn = arn:aws:iam::999999999999:role/Someone
source_profile = default
`;

let stack: Stack;
let alice: TestBrowser;
let home: string;
let env: Record<string, string>;
const configDir = () => path.join(home, 'xdg', 'rolegate');
const awsConfig = () => path.join(home, 'aws', 'config');
const savedEnv = { XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, BROWSER: process.env.BROWSER };

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS });
  alice = await stack.signIn('alice');
  home = await mkdtemp(path.join(os.tmpdir(), 'rolegate-cli-'));
  env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), AWS_CONFIG_FILE: awsConfig(), BROWSER: 'none' };
  // fromProcess runs `rolegate credentials` with this process's environment.
  process.env.XDG_CONFIG_HOME = env.XDG_CONFIG_HOME;
  process.env.BROWSER = 'none';
});
afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stack?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const cliGrants = async () => (await stack.grantRows(`kind = 'cli'`)).length;

/** Runs `rolegate login` and approves it in alice's browser over HTTP. */
async function loginWithLoopback(opts: { wrongStateFirst?: boolean } = {}) {
  const cli = startCli(['login', '--url', stack.baseUrl, '--label', 'laptop'], env);
  const [loginUrl] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/cli\/login\?\S+/);
  const page = await alice.get(loginUrl!, { accept: 'text/html' });
  expect(page.status).toBe(200);
  const res = await postForm(alice, '/cli/login', formFields(page.text));
  expect(res.status).toBe(302);
  const back = new URL(res.location!);
  expect(back.hostname).toBe('127.0.0.1');
  if (opts.wrongStateFirst) {
    // Another local process guessing or replaying: a foreign state, even with the real code.
    const forged = new URL(back);
    forged.searchParams.set('state', 'A'.repeat(32));
    const refused = await fetch(forged);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('refused');
    const missing = new URL(back);
    missing.searchParams.delete('state');
    expect((await fetch(missing)).status).toBe(400);
    await expect(stat(path.join(configDir(), 'session.json'))).rejects.toThrow(/ENOENT/);
  }
  const delivered = await fetch(back);
  expect(delivered.status).toBe(200);
  const done = await cli.exited;
  expect(done.code, done.stderr).toBe(0);
  expect(done.stderr).toContain('Signed in as alice@example.com');
  // The listener is gone: the same redirect cannot be delivered twice.
  await expect(fetch(back)).rejects.toThrow();
  return done;
}

describe('rolegate CLI end to end', () => {
  it('says "not logged in" with exit code 3 before login', async () => {
    const res = await runCli(['ls'], env);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/Not logged in/);
  });

  it('logs in over the loopback listener, refusing a wrong state, and stores the token 0600 in a 0700 folder', async () => {
    await loginWithLoopback({ wrongStateFirst: true });
    expect(await mode(configDir())).toBe(0o700);
    expect(await mode(path.join(configDir(), 'session.json'))).toBe(0o600);
    const session = JSON.parse(await readFile(path.join(configDir(), 'session.json'), 'utf8'));
    expect(session).toMatchObject({ url: stack.baseUrl, email: 'alice@example.com' });
    const [row] = (await stack.sql.query(`SELECT * FROM cli_tokens WHERE id = $1`, [session.tokenId])).rows;
    expect(row).toMatchObject({ label: 'laptop', revoked_at: null });
  });

  it('lists entitlements as a table and as JSON', async () => {
    const table = await runCli(['ls'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/111111111111\s+sandbox\s+Developer/);
    const json = await runCli(['ls', '--json'], env);
    expect(
      JSON.parse(json.stdout)
        .map((e: { roleName: string }) => e.roleName)
        .sort(),
    ).toEqual(['Developer', 'ReadOnly']);
  });

  it('configure --dry-run shows the change and writes nothing', async () => {
    await mkdir(path.dirname(awsConfig()), { recursive: true });
    await writeFile(awsConfig(), UNRELATED);
    const res = await runCli(['configure', '--dry-run', '--command', `node ${CLI_BIN}`], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('+ [profile rolegate-sandbox-Developer]');
    expect(res.stdout).toContain(`+ credential_process = node ${CLI_BIN} credentials --account 111111111111 --role Developer`);
    expect(await readFile(awsConfig(), 'utf8')).toBe(UNRELATED);
  });

  it('configure writes a profile per entitlement without touching unrelated profiles', async () => {
    const res = await runCli(['configure', '--command', `node ${CLI_BIN}`], env);
    expect(res.code, res.stderr).toBe(0);
    const text = await readFile(awsConfig(), 'utf8');
    expect(text.startsWith(UNRELATED)).toBe(true);
    expect(text).toContain('[profile rolegate-sandbox-Developer]');
    expect(text).toContain('[profile rolegate-production-ReadOnly]');
    expect(text).not.toContain('Administrator');
    // Idempotent.
    expect((await runCli(['configure', '--command', `node ${CLI_BIN}`], env)).code).toBe(0);
    expect(await readFile(awsConfig(), 'utf8')).toBe(text);
  });

  it('an SDK client using fromProcess gets the mapped role; a second fetch within the cache window creates no grant', async () => {
    const before = await cliGrants();
    const assumeBefore = stack.aws.countCalls('AssumeRole');
    const who = async () => {
      const sts = new STSClient({
        region: 'us-east-1',
        endpoint: stack.aws.stsUrl,
        maxAttempts: 1,
        credentials: fromProcess({ profile: 'rolegate-sandbox-Developer', configFilepath: awsConfig(), filepath: path.join(home, 'aws', 'credentials') }),
      });
      try {
        return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
      } finally {
        sts.destroy();
      }
    };
    expect(await who()).toBe('arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com');
    expect(await cliGrants()).toBe(before + 1);
    const [row] = await stack.grantRows(`kind = 'cli'`);
    expect(row).toMatchObject({ status: 'issued', role_arn: 'arn:aws:iam::111111111111:role/Developer', user_email: 'alice@example.com' });

    expect(await who()).toBe('arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com');
    expect(await cliGrants()).toBe(before + 1);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumeBefore + 1);

    const cache = path.join(configDir(), 'cache');
    const files = await readdir(cache);
    expect(files).toHaveLength(1);
    expect(await mode(cache)).toBe(0o700);
    expect(await mode(path.join(cache, files[0]!))).toBe(0o600);
  });

  it('fetches anew when the cached credentials are within five minutes of expiry', async () => {
    const cache = path.join(configDir(), 'cache');
    const [file] = await readdir(cache);
    const cached = JSON.parse(await readFile(path.join(cache, file!), 'utf8'));
    await writeFile(path.join(cache, file!), JSON.stringify({ ...cached, Expiration: new Date(Date.now() + 4 * 60_000).toISOString() }));
    const before = await cliGrants();
    const res = await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer'], env);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ Version: 1 });
    expect(out.AccessKeyId).not.toBe(cached.AccessKeyId);
    expect(await cliGrants()).toBe(before + 1);
  });

  it('exec runs a command with the credentials in its environment', async () => {
    const res = await runCli(
      [
        'exec',
        '--account',
        '111111111111',
        '--role',
        'Developer',
        '--',
        process.execPath,
        '-e',
        'process.stdout.write(JSON.stringify([process.env.AWS_ACCESS_KEY_ID, !!process.env.AWS_SESSION_TOKEN, process.env.AWS_PROFILE ?? null])); process.exit(3)',
      ],
      { ...env, AWS_PROFILE: 'work' },
    );
    expect(res.code).toBe(3);
    const [keyId, hasToken, profile] = JSON.parse(res.stdout);
    expect(keyId).toMatch(/^ASIA/);
    expect(hasToken).toBe(true);
    expect(profile).toBeNull();
  });

  it('console --print prints a federation sign-in URL (a recorded console grant)', async () => {
    const before = (await stack.grantRows(`kind = 'console'`)).length;
    const res = await runCli(['console', '--account', 'sandbox', '--role', 'Developer', '--print'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim().startsWith(`${stack.aws.federationUrl}?Action=login`)).toBe(true);
    expect((await stack.grantRows(`kind = 'console'`)).length).toBe(before + 1);
  });

  it('exits with distinct codes: not entitled 5, reason required 7, usage 2', async () => {
    const assumeBefore = stack.aws.countCalls('AssumeRole');
    const notEntitled = await runCli(['credentials', '--account', 'production', '--role', 'Administrator'], env);
    expect(notEntitled.code).toBe(5);
    expect(notEntitled.stderr).toMatch(/Not entitled/);
    const reason = await runCli(['credentials', '--account', 'production', '--role', 'ReadOnly'], env);
    expect(reason.code).toBe(7);
    expect(reason.stderr).toMatch(/--reason/);
    expect((await runCli(['credentials', '--role', 'ReadOnly'], env)).code).toBe(2);
    expect((await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer', '--duration', 'soon'], env)).code).toBe(2);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumeBefore);
    const ok = await runCli(['credentials', '--account', 'production', '--role', 'ReadOnly', '--reason', 'INC-1 queue depth'], env);
    expect(ok.code, ok.stderr).toBe(0);
    const [row] = await stack.grantRows(`kind = 'cli'`);
    expect(row.reason).toBe('INC-1 queue depth');
  });

  it('exits 6 when the broker is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    // The same login, pointed at a port nobody listens on.
    const dir = path.join(home, 'offline', 'rolegate');
    await mkdir(dir, { recursive: true });
    const s = JSON.parse(await readFile(path.join(configDir(), 'session.json'), 'utf8'));
    await writeFile(path.join(dir, 'session.json'), JSON.stringify({ ...s, url: `http://127.0.0.1:${port}` }));
    const res = await runCli(['ls'], { ...env, XDG_CONFIG_HOME: path.join(home, 'offline') });
    expect(res.code).toBe(6);
    expect(res.stderr).toMatch(/Cannot reach the broker/);
  });

  it('exits 4 once the token is revoked in the portal, without a grant', async () => {
    const session = JSON.parse(await readFile(path.join(configDir(), 'session.json'), 'utf8'));
    expect((await alice.request('DELETE', `/api/cli/tokens/${session.tokenId}`)).status).toBe(204);
    const before = (await stack.grantRows()).length;
    const res = await runCli(['credentials', '--account', 'production', '--role', 'ReadOnly', '--reason', 'another reason'], env);
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/expired or was revoked/);
    expect((await stack.grantRows()).length).toBe(before);
  });

  it('logout revokes the token on the broker and deletes the local files', async () => {
    await loginWithLoopback();
    const session = JSON.parse(await readFile(path.join(configDir(), 'session.json'), 'utf8'));
    expect((await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer'], env)).code).toBe(0);
    const res = await runCli(['logout'], env);
    expect(res.code, res.stderr).toBe(0);
    const [row] = (await stack.sql.query(`SELECT revoked_at FROM cli_tokens WHERE id = $1`, [session.tokenId])).rows;
    expect(row.revoked_at).not.toBeNull();
    expect(await readdir(configDir())).toEqual([]);
    expect((await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer'], env)).code).toBe(3);
  });

  it('logs in device-style with --no-browser: prints a URL and a short code confirmed in the browser', async () => {
    const cli = startCli(['login', '--url', stack.baseUrl, '--no-browser'], env);
    const [, uri, code] = await cli.waitFor(/open (\S+) in a browser and enter the code:\s+([A-Z]{4}-[A-Z]{4})/);
    expect(uri).toBe(`${stack.baseUrl}/cli/device`);
    const { done: ok } = await decideDevice(alice, code!);
    expect(ok.status).toBe(200);
    const done = await cli.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(await mode(path.join(configDir(), 'session.json'))).toBe(0o600);
    expect((await runCli(['ls', '--json'], env)).code).toBe(0);
  });
});
