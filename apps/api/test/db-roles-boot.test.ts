import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEmulator, type AwsEmulator } from '@rolegate/aws-emulator';
import { freePort } from '@rolegate/db';
import { startDevOidcProvider, type DevOidcProvider } from '@rolegate/dev-idp';
import { asRole, createTestDatabase } from './support/stack.js';

/*
 * Issue 10 §3, through a real process start: with DATABASE_MIGRATION_URL the
 * owner migrates and the app runs as the runtime role; with one URL only the
 * process says at boot that the audit trail is not tamper-proof.
 */

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const brokerKey = { id: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secret: randomBytes(30).toString('base64url') };
let aws: AwsEmulator;
let idp: DevOidcProvider;
const children: ChildProcess[] = [];

beforeAll(async () => {
  aws = await startAwsEmulator({
    callers: [{ accessKeyId: brokerKey.id, secretAccessKey: brokerKey.secret, arn: 'arn:aws:iam::000000000000:user/rolegate-broker' }],
    roles: [],
  });
  idp = await startDevOidcProvider({
    clients: [{ clientId: 'rolegate-boot', clientSecret: 'boot-secret-boot-secret', redirectUris: ['http://127.0.0.1/auth/oidc/callback'] }],
  });
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await idp?.close();
  await aws?.close();
});

/** Starts the real server on `db` URLs, waits for /readyz 200, stops it with SIGTERM; returns its output. */
async function bootOnce(db: { DATABASE_URL: string; DATABASE_MIGRATION_URL?: string }): Promise<string> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ROLEGATE_DEMO: '0',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: 'rolegate-boot',
    OIDC_CLIENT_SECRET: 'boot-secret-boot-secret',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: brokerKey.id,
    AWS_SECRET_ACCESS_KEY: brokerKey.secret,
    AWS_ENDPOINT_URL_STS: aws.stsUrl,
    FEDERATION_URL: aws.federationUrl,
    LOG_LEVEL: 'info',
    ...db,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output: string[] = [];
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${output.join('')}`);
        return (await fetch(`${baseUrl}/readyz`).catch(() => null))?.status;
      },
      { timeout: 45_000, interval: 200 },
    )
    .toBe(200);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return output.join('');
}

async function tableOwnersAndRoles(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const owners = await c.query<{ tableowner: string }>(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
    return owners.rows.map((r) => r.tableowner);
  } finally {
    await c.end();
  }
}

describe('booting with two database roles', () => {
  it('migrates as the owner, runs as the runtime role, and warns about nothing', { timeout: 90_000 }, async () => {
    const url = await createTestDatabase({ empty: true });
    const out = await bootOnce({ DATABASE_URL: asRole(url, 'runtime'), DATABASE_MIGRATION_URL: asRole(url, 'owner') });
    expect(out).toContain('migrations applied');
    expect(out).not.toContain('NOT tamper-proof');
    expect(out).not.toContain('more privileges than it needs');
    expect(await tableOwnersAndRoles(url)).toEqual([new URL(asRole(url, 'owner')).username]);
  });

  it('with one URL only, warns at boot that the audit trail is not tamper-proof', { timeout: 90_000 }, async () => {
    const url = await createTestDatabase({ empty: true });
    const out = await bootOnce({ DATABASE_URL: asRole(url, 'owner') });
    expect(out).toContain('NOT tamper-proof');
  });

  it('warns when the runtime role owns the tables (it could disable the change-log trigger)', { timeout: 90_000 }, async () => {
    const url = await createTestDatabase({ empty: true });
    // The owner is given as the runtime role too (two URLs, one role): the misconfiguration to report.
    const owner = asRole(url, 'owner');
    const out = await bootOnce({ DATABASE_URL: owner, DATABASE_MIGRATION_URL: `${owner}?application_name=rolegate-migrate` });
    expect(out).toContain('more privileges than it needs');
    expect(out).toMatch(/owns \(or inherits ownership of\) \d+ relations/);
  });
});
