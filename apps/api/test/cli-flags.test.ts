// The CLI does what its flags say (issue 11 §3), tested with the real
// `rolegate` process against the whole stack in demo mode (region
// eu-central-1, STS at the emulator), and with a real AWS SDK process that
// reads the profile `rolegate configure` wrote, as the AWS CLI would.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientDefaultsOf } from '../src/routes/api.js';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { CLI_TEST_MAPPINGS as MAPPINGS, CLI_BIN, cliTokenFor, runCli } from './cli-support.js';

const run = promisify(execFile);
const DEVELOPER_ARN = 'arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com';

let stack: Stack;
let alice: TestBrowser;
let home: string;
let env: Record<string, string>;
const configDir = () => path.join(home, 'xdg', 'rolegate');
const cacheDir = () => path.join(configDir(), 'cache');
const awsConfig = () => path.join(home, 'aws', 'config');

/** Signs the CLI in as alice (the browser half over HTTP) and stores the session as `rolegate login` does. */
async function signInCli() {
  const t = await cliTokenFor(alice);
  await rm(configDir(), { recursive: true, force: true });
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  await writeFile(path.join(configDir(), 'session.json'), JSON.stringify({ url: stack.baseUrl, email: 'alice@example.com', ...t }), { mode: 0o600 });
  return t;
}

const credentials = async (...args: string[]) => runCli(['credentials', '--account', 'sandbox', '--role', 'Developer', ...args], env);
const cliGrants = async () => stack.grantRows(`kind = 'cli'`);
const hoursLeft = (expiration: string) => (new Date(expiration).getTime() - Date.now()) / 3_600_000;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, env: { ROLEGATE_DEMO: '1', AWS_REGION: 'eu-central-1' } });
  alice = await stack.signIn('alice');
  home = await mkdtemp(path.join(os.tmpdir(), 'rolegate-cli-flags-'));
  env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), AWS_CONFIG_FILE: awsConfig(), BROWSER: 'none' };
});
afterAll(async () => {
  await stack?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('rolegate credentials --duration', () => {
  it('returns a new 2 h set after a cached 1 h set: the duration is part of the cache key', async () => {
    await signInCli();
    const first = await credentials('--duration', '1h');
    expect(first.code, first.stderr).toBe(0);
    const oneHour = JSON.parse(first.stdout);
    expect(hoursLeft(oneHour.Expiration)).toBeGreaterThan(0.9);
    expect(hoursLeft(oneHour.Expiration)).toBeLessThanOrEqual(1);
    const again = await credentials('--duration', '1h');
    expect(JSON.parse(again.stdout).AccessKeyId).toBe(oneHour.AccessKeyId); // from the cache
    const grantsBefore = (await cliGrants()).length;
    const assumeBefore = stack.aws.countCalls('AssumeRole');

    const second = await credentials('--duration', '2h');
    expect(second.code, second.stderr).toBe(0);
    const twoHours = JSON.parse(second.stdout);
    expect(twoHours.AccessKeyId).not.toBe(oneHour.AccessKeyId);
    expect(hoursLeft(twoHours.Expiration)).toBeGreaterThan(1.9);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumeBefore + 1);
    const rows = await cliGrants();
    expect(rows).toHaveLength(grantsBefore + 1);
    expect(rows[0]).toMatchObject({ status: 'issued', duration_seconds: 7200 });
    // Both sets stay cached side by side.
    expect(await readdir(cacheDir())).toHaveLength(2);
    expect(JSON.parse((await credentials('--duration', '1h')).stdout).AccessKeyId).toBe(oneHour.AccessKeyId);
  });

  it('refuses a duration outside the role’s limits with those limits, creating no grant and calling no AWS', async () => {
    const grantsBefore = (await cliGrants()).length;
    const assumeBefore = stack.aws.countCalls('AssumeRole');
    // Developer allows up to 4 h (14400 s); AWS's minimum is 15 min.
    for (const d of ['5h', '10m']) {
      const res = await credentials('--duration', d);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('is outside the limits of Developer in sandbox: from 15m to 4h');
    }
    expect(await cliGrants()).toHaveLength(grantsBefore);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumeBefore);
  });

  it('refuses an out-of-range duration even when the cache holds a set for it', async () => {
    // A set cached under the 5 h key (written by an older CLI, or planted): the limit still wins.
    const files = await readdir(cacheDir());
    const planted = JSON.parse(await readFile(path.join(cacheDir(), files[0]!), 'utf8'));
    const { createHash } = await import('node:crypto');
    const session = JSON.parse(await readFile(path.join(configDir(), 'session.json'), 'utf8'));
    const key = createHash('sha256')
      .update(JSON.stringify([stack.baseUrl, session.tokenId, 'sandbox', 'Developer', '', 18000]))
      .digest('hex')
      .slice(0, 32);
    await writeFile(path.join(cacheDir(), `${key}.json`), JSON.stringify(planted), { mode: 0o600 });
    const res = await credentials('--duration', '5h');
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('from 15m to 4h');
  });
});

describe('rolegate credentials with a revoked token', () => {
  it('refuses although the cache still holds fresh credentials, and deletes them', async () => {
    const t = await signInCli();
    const ok = await credentials();
    expect(ok.code, ok.stderr).toBe(0);
    expect(await readdir(cacheDir())).toHaveLength(1);
    expect((await alice.request('DELETE', `/api/cli/tokens/${t.tokenId}`)).status).toBe(204);
    const grantsBefore = (await stack.grantRows()).length;

    const res = await credentials();
    expect(res.code).toBe(4);
    expect(res.stdout).toBe(''); // nothing for credential_process to use
    expect(res.stderr).toMatch(/expired or was revoked/);
    await expect(readdir(cacheDir())).rejects.toThrow(/ENOENT/);
    expect(await stack.grantRows()).toHaveLength(grantsBefore);
  });
});

/** The AWS CLI v2 from Debian's `awscli` package (a v1 from pip may come first on PATH). */
const AWS_CLI = process.env.AWS_CLI_PATH ?? '/usr/bin/aws';

describe('rolegate configure in demo mode', () => {
  it('writes the broker’s region and the emulator’s endpoint, so the AWS SDK needs nothing but --profile', async () => {
    await signInCli();
    const res = await runCli(['configure', '--command', `node ${CLI_BIN}`], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`region eu-central-1, demo STS endpoint ${stack.aws.stsUrl.replace(/\/$/, '')}`);
    const text = await readFile(awsConfig(), 'utf8');
    const profile = text.slice(text.indexOf('[profile rolegate-sandbox-Developer]')).split('\n\n')[0]!;
    expect(profile).toContain('region = eu-central-1');
    expect(profile).toContain(`endpoint_url = ${stack.aws.stsUrl.replace(/\/$/, '')}`);

    // What `aws sts get-caller-identity --profile rolegate-sandbox-Developer` does: a
    // separate process whose SDK is told only the profile (region, endpoint and
    // credentials all come from the config file and credential_process).
    const script = `
      import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
      const sts = new STSClient({ maxAttempts: 1 });
      const region = await sts.config.region();
      const who = await sts.send(new GetCallerIdentityCommand({}));
      console.log(JSON.stringify({ region, arn: who.Arn }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
        AWS_CONFIG_FILE: awsConfig(),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws', 'credentials'),
        AWS_PROFILE: 'rolegate-sandbox-Developer',
      },
    });
    expect(JSON.parse(stdout)).toEqual({ region: 'eu-central-1', arn: DEVELOPER_ARN });

    // The real AWS CLI (Debian's v2, installed by .ci/run) with the same profile: credentials
    // through credential_process, region from the profile. Its 2.9 predates `endpoint_url` in
    // profiles (2.13+), so the emulator's endpoint is given on the command line here.
    const aws = await run(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--profile', 'rolegate-sandbox-Developer', '--endpoint-url', stack.aws.stsUrl, '--output', 'json'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
          AWS_CONFIG_FILE: awsConfig(),
          AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws', 'credentials'),
          AWS_PAGER: '',
        },
      },
    );
    expect(JSON.parse(aws.stdout).Arn).toBe(DEVELOPER_ARN);
  });

  it('takes --region over the broker’s, and refuses one that is not a region without writing', async () => {
    const res = await runCli(['configure', '--command', `node ${CLI_BIN}`, '--region', 'us-west-2'], env);
    expect(res.code, res.stderr).toBe(0);
    const text = await readFile(awsConfig(), 'utf8');
    expect(text).toContain('region = us-west-2');
    expect(text).not.toContain('region = eu-central-1');
    // A line break would smuggle a second credential_process into the profile.
    const bad = await runCli(['configure', '--region', 'us-west-2\ncredential_process = sh -c evil'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not an AWS region');
    expect(await readFile(awsConfig(), 'utf8')).toBe(text);
  });

  it('asks for the region on a terminal, offering the broker’s', async () => {
    // A real pseudo-terminal (util-linux `script`), as a person running `rolegate configure` has.
    const child = spawn('script', ['-qec', `${process.execPath} ${CLI_BIN} configure --command rolegate`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.includes('AWS region for the profiles [eu-central-1]: ') && !child.stdin.writableEnded) child.stdin.end('ap-south-1\n');
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(out).toContain('AWS region for the profiles [eu-central-1]: ');
    expect(code).toBe(0);
    expect(out).toContain('(region ap-south-1, demo STS endpoint');
    expect(await readFile(awsConfig(), 'utf8')).toContain('region = ap-south-1');
  });

  it('sends the STS endpoint to the CLI only in demo mode, never a production broker’s (private) endpoint', () => {
    const aws = { region: 'eu-west-1', stsEndpoint: 'https://vpce-0abc.sts.eu-west-1.vpce.amazonaws.com' };
    expect(awsClientDefaultsOf({ demo: false, aws })).toEqual({ region: 'eu-west-1' });
    expect(awsClientDefaultsOf({ demo: true, aws })).toEqual(aws);
  });
});

describe('rolegate env', () => {
  it('prints a bash block that a real bash evaluates into the credentials, the region and the demo endpoint', async () => {
    const res = await runCli(['env', '--account', 'sandbox', '--role', 'Developer', '--shell', 'bash'], env);
    expect(res.code, res.stderr).toBe(0);
    const c = JSON.parse((await credentials()).stdout);
    const { stdout } = await run(
      'bash',
      [
        '-c',
        `eval "$1"; printf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SESSION_TOKEN" "$AWS_REGION" "$AWS_DEFAULT_REGION" "$AWS_ENDPOINT_URL_STS"`,
        'bash',
        res.stdout,
      ],
      { env: {} },
    );
    expect(stdout.trim().split('\n')).toEqual([c.AccessKeyId, c.SessionToken, 'eu-central-1', 'eu-central-1', stack.aws.stsUrl.replace(/\/$/, '')]);
  });

  it('prints PowerShell and cmd blocks with AWS_REGION', async () => {
    const ps = await runCli(['env', '--account', 'sandbox', '--role', 'Developer', '--shell', 'powershell', '--region', 'us-east-2'], env);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout).toMatch(/^\$Env:AWS_ACCESS_KEY_ID = 'ASIA[A-Z0-9]+'$/m);
    expect(ps.stdout).toMatch(/^\$Env:AWS_SESSION_TOKEN = '[^'\n]+'$/m);
    expect(ps.stdout).toContain("$Env:AWS_REGION = 'us-east-2'");
    const cmd = await runCli(['env', '--account', 'sandbox', '--role', 'Developer', '--shell', 'cmd'], env);
    expect(cmd.code, cmd.stderr).toBe(0);
    expect(cmd.stdout).toMatch(/^REM Rolegate: Developer in sandbox, valid until /);
    expect(cmd.stdout).toMatch(/^set "AWS_SECRET_ACCESS_KEY=[^"%\n]+"$/m);
    expect(cmd.stdout).toContain('set "AWS_REGION=eu-central-1"');
    const bad = await runCli(['env', '--account', 'sandbox', '--role', 'Developer', '--shell', 'tcsh'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shell must be one of bash, zsh, fish, powershell, cmd');
  });
});
