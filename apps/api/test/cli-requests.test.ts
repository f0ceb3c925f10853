import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, signedInCliEnv, startCli } from './cli-support.js';
import type { TestBrowser } from './support/http-client.js';
import { startStack, type Stack, testPerson } from './support/stack.js';

// The CLI and approval roles (issue 14): `rolegate request`, credential_process
// without a window, --request-if-needed, and cached credentials never past the window.

const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers] }
`;
const person = testPerson;

let stack: Stack;
let amy: TestBrowser;
let env: Record<string, string>;
const ROLE = ['--account', 'production', '--role', 'Deploy'];

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, extraUsers: [person('emma', ['engineers']), person('amy', ['prod-approvers'])] });
  amy = await stack.signIn('amy');
  const emma = await stack.signIn('emma');
  env = await signedInCliEnv(stack.baseUrl, emma, 'rolegate-cli-req-');
  await writeFile(
    env.AWS_CONFIG_FILE!,
    `[profile rolegate-production-Deploy]\ncredential_process = rolegate credentials --account 222222222222 --role Deploy\n`,
  );
});
afterAll(async () => {
  await stack?.close();
});

const latestRequest = async () =>
  (
    await stack.sql.query<{ id: string; status: string; window_ends_at: Date | null }>(
      `SELECT id, status, window_ends_at FROM access_requests ORDER BY created_at DESC LIMIT 1`,
    )
  ).rows[0]!;

describe('rolegate and approval roles', () => {
  it('credential_process without an open window says so on stderr, prints nothing on stdout and exits 8', async () => {
    const res = await runCli(['credentials', ...ROLE], env);
    expect(res.code).toBe(8);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/needs an approved request and none is open/);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM access_requests`)).rows[0].n).toBe(0);
  });

  it('rolegate request <profile> files a request (reason required) and, with --wait, reports a denial with exit 8', async () => {
    expect((await runCli(['request', 'rolegate-production-Deploy'], env)).code).toBe(2);
    const filed = await runCli(['request', 'rolegate-production-Deploy', '--reason', 'look at the deploy', '--duration', '30m'], env);
    expect(filed.code, filed.stderr).toBe(0);
    const out = JSON.parse(filed.stdout) as { id: string; status: string };
    expect(out.status).toBe('pending');
    const row = (await stack.sql.query(`SELECT duration_seconds, reason, role_arn FROM access_requests WHERE id = $1`, [out.id])).rows[0];
    expect(row).toEqual({ duration_seconds: 1800, reason: 'look at the deploy', role_arn: 'arn:aws:iam::222222222222:role/Deploy' });

    const waiting = startCli(['request', ...ROLE, '--reason', 'second try', '--wait', '--wait-timeout', '2m'], env);
    await waiting.waitFor(/Waiting for approval/);
    const { id } = await latestRequest();
    expect((await amy.post(`/api/requests/${id}/deny`, { comment: 'no' })).status).toBe(200);
    const done = await waiting.exited;
    expect(done.code).toBe(8);
    expect(done.stderr).toMatch(/denied/);
  });

  it('--request-if-needed files the request, waits, and returns credentials that end inside the window; once the window ends the cache is not used', async () => {
    const cli = startCli(['credentials', ...ROLE, '--request-if-needed', '--reason', 'hotfix', '--duration', '1h', '--wait-timeout', '2m'], env);
    await cli.waitFor(/Waiting for approval/);
    const { id } = await latestRequest();
    expect((await amy.post(`/api/requests/${id}/approve`, {})).status).toBe(200);
    const done = await cli.exited;
    expect(done.code, done.stderr).toBe(0);
    const creds = JSON.parse(done.stdout) as { Version: number; Expiration: string; AccessKeyId: string };
    expect(creds.Version).toBe(1);
    const { window_ends_at: windowEnd } = await latestRequest();
    expect(Date.parse(creds.Expiration)).toBeLessThanOrEqual(windowEnd!.getTime());

    // Inside the window: the cached set is reused (no second grant).
    const again = await runCli(['credentials', ...ROLE, '--reason', 'hotfix', '--duration', '1h'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).AccessKeyId).toBe(creds.AccessKeyId);
    expect(await stack.grantRows(`request_id = $1`, [id])).toHaveLength(1);

    // The window ends early: the cached credentials are no longer handed out.
    expect((await amy.post(`/api/requests/${id}/end`)).status).toBe(200);
    const after = await runCli(['credentials', ...ROLE, '--reason', 'hotfix', '--duration', '1h'], env);
    expect(after.code).toBe(8);
    expect(after.stdout).toBe('');
  });

  it('--request-if-needed run again while its request is still open waits on that request instead of filing another', async () => {
    const since = new Date();
    const first = await runCli(['credentials', ...ROLE, '--request-if-needed', '--reason', 'deploy 9', '--wait-timeout', '1s'], env);
    expect(first.code).toBe(8);
    expect(first.stderr).toMatch(/stays open/);
    const opened = await stack.sql.query<{ id: string }>(`SELECT id FROM access_requests WHERE created_at >= $1 AND status = 'pending'`, [since]);
    expect(opened.rows).toHaveLength(1);

    // credential_process runs again (a retry, the next SDK client): the same request, and one approval is enough.
    const again = startCli(['credentials', ...ROLE, '--request-if-needed', '--reason', 'deploy 9', '--wait-timeout', '2m'], env);
    await again.waitFor(/Waiting for approval/);
    expect((await stack.sql.query(`SELECT id FROM access_requests WHERE created_at >= $1`, [since])).rows).toHaveLength(1);
    expect((await amy.post(`/api/requests/${opened.rows[0]!.id}/approve`, {})).status).toBe(200);
    const done = await again.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain(opened.rows[0]!.id);
    expect(JSON.parse(done.stdout)).toMatchObject({ Version: 1 });
  });
});
