import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, signedInCliEnv } from './cli-support.js';
import type { TestBrowser } from './support/http-client.js';
import { bucketOf, SANDBOX_DEVELOPER, startStack, testPerson, type Stack } from './support/stack.js';
import { listBuckets } from './support/s3.js';

// credential_process after a revoke: `rolegate credentials` asks the broker on every call whether the
// cached set's grant still holds, and refuses (stderr, exit 9) and deletes the set once it is revoked.

const gus = testPerson('cr-gus', ['engineers']);
let stack: Stack;
let gusB: TestBrowser;
let env: Record<string, string>;
const ROLE = ['--account', 'sandbox', '--role', 'Developer'];
/** AssumeRole calls for the person's role (the worker also assumes the account's control role). */
const grantsAtSts = () => stack.aws.requests.filter((r) => r.action === 'AssumeRole' && r.params.RoleArn?.endsWith(':role/Developer')).length;
const cacheFiles = async () => readdir(path.join(env.XDG_CONFIG_HOME!, 'rolegate', 'cache')).catch(() => [] as string[]);

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER, extraUsers: [gus], revocations: { intervalMs: 200 } });
  gusB = await stack.signIn(gus.username);
  env = await signedInCliEnv(stack.baseUrl, gusB, 'rolegate-cli-rev-');
}, 60_000);
afterAll(async () => stack?.close());

/** ListBuckets with the credentials the CLI printed (AWS's credential_process shape). */
const s3List = (c: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }) =>
  listBuckets(stack.aws.s3Url, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });

describe('rolegate credentials after a revoke', () => {
  it('hands out the cached set while the grant holds, then refuses with a clear message, exits 9 and clears its cache', async () => {
    const first = await runCli(['credentials', ...ROLE], env);
    expect(first.code, first.stderr).toBe(0);
    const creds = JSON.parse(first.stdout);
    // Printed as credential_process expects: the cache's own fields stay in the cache.
    expect(Object.keys(creds).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version']);
    expect(await s3List(creds)).toEqual([bucketOf('111111111111')]);
    expect(await cacheFiles()).toHaveLength(1);

    const assumes = grantsAtSts();
    const again = await runCli(['credentials', ...ROLE], env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).AccessKeyId).toBe(creds.AccessKeyId);
    expect(grantsAtSts()).toBe(assumes);

    const grant = (await stack.grantRows(`user_email = $1 AND access_key_id = $2`, [gus.email, creds.AccessKeyId]))[0];
    expect((await gusB.post(`/api/grants/${grant.id}/revoke`, {})).status).toBe(202);

    const refused = await runCli(['credentials', ...ROLE], env);
    expect(refused.code).toBe(9);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`grant ${grant.id}`);
    expect(refused.stderr).toMatch(/revoked/);
    expect(await cacheFiles()).toHaveLength(0);
    expect(grantsAtSts()).toBe(assumes);
    await expect.poll(async () => s3List(creds), { timeout: 10_000 }).toBe('AccessDenied');

    // The next call gets a new grant (the person is still entitled) that works.
    const fresh = await runCli(['credentials', ...ROLE], env);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout).AccessKeyId).not.toBe(creds.AccessKeyId);
    expect(await s3List(JSON.parse(fresh.stdout))).toEqual([bucketOf('111111111111')]);
  });

  it('answers the status only to the grant’s own person', async () => {
    const other = await stack.signIn('alice');
    const grant = (await stack.grantRows(`user_email = $1`, [gus.email]))[0];
    expect((await other.get(`/api/grants/${grant.id}/status`)).status).toBe(404);
    expect((await gusB.get(`/api/grants/${grant.id}/status`)).status).toBe(200);
  });
});
