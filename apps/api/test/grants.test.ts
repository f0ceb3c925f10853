import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

const UNTRUSTED_ROLE = 'arn:aws:iam::222222222222:role/Untrusting';
const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
  - { id: "333333333333", name: gov }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400, description: Dev }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/ReadOnly", maxDurationSeconds: 3600, requireReason: true, description: RO }
  - { group: engineers, roleArn: "${UNTRUSTED_ROLE}", maxDurationSeconds: 3600, description: Broken trust }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Disabled", enabled: false }
  - { group: platform-admins, roleArn: "arn:aws:iam::222222222222:role/platform/Administrator", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "arn:aws-us-gov:iam::333333333333:role/GovDeveloper", maxDurationSeconds: 3600 }
`;

let stack: Stack;
let alice: TestBrowser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, untrustedRoles: [UNTRUSTED_ROLE] });
  alice = await stack.signIn('alice');
  Object.assign(ids, await stack.mappingIds());
});
afterAll(async () => {
  await stack?.close();
});

const assumeCalls = () => stack.aws.countCalls('AssumeRole');

describe('entitlements', () => {
  it('lists exactly the enabled mappings of the caller’s groups', async () => {
    const res = await alice.get('/api/entitlements');
    expect(res.status).toBe(200);
    const names = res
      .json()
      .items.map((e: { roleName: string }) => e.roleName)
      .sort();
    expect(names).toEqual(['Developer', 'GovDeveloper', 'ReadOnly', 'Untrusting']);
    const dev = res.json().items.find((e: { roleName: string }) => e.roleName === 'Developer');
    expect(dev).toMatchObject({ accountId: '111111111111', accountName: 'sandbox', maxDurationSeconds: 14400, requireReason: false });
  });
});

describe('POST /api/grants', () => {
  it('issues a console grant: row written first, STS called with session name, source identity and grant-id tag', async () => {
    const before = assumeCalls();
    const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console', durationSeconds: 7200 });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const { grant, consoleUrl, credentials } = res.json();
    expect(credentials).toBeUndefined();
    expect(consoleUrl.startsWith(`${stack.aws.federationUrl}?Action=login`)).toBe(true);
    const login = new URL(consoleUrl);
    expect(login.searchParams.get('Destination')).toBe('https://console.aws.amazon.com/');
    expect(login.searchParams.get('Issuer')).toBe(stack.baseUrl);
    expect(assumeCalls()).toBe(before + 1);

    const [row] = await stack.grantRows('id = $1', [grant.id]);
    expect(row).toMatchObject({
      status: 'issued',
      kind: 'console',
      role_arn: 'arn:aws:iam::111111111111:role/Developer',
      account_id: '111111111111',
      role_session_name: 'alice@example.com',
      source_identity: 'alice@example.com',
      duration_seconds: 7200,
      user_email: 'alice@example.com',
      groups: ['engineers'],
      error: null,
    });
    expect(row.sts_request_id).toMatch(/[0-9a-f-]{36}/);
    expect(row.access_key_id).toMatch(/^ASIA/);
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBeGreaterThan(7100 * 1000);

    const call = stack.aws.requests.filter((r) => r.action === 'AssumeRole').at(-1)!;
    expect(call.params).toMatchObject({
      RoleArn: 'arn:aws:iam::111111111111:role/Developer',
      RoleSessionName: 'alice@example.com',
      SourceIdentity: 'alice@example.com',
      DurationSeconds: '7200',
      'Tags.member.1.Key': 'rolegate:grant-id',
      'Tags.member.1.Value': grant.id,
    });
    const fed = stack.aws.requests.filter((r) => r.action === 'getSigninToken').at(-1)!;
    expect(fed.params.SessionDuration).toBe('7200');
  });

  it('lands on the emulated console page naming the role', async () => {
    const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console' });
    let url: string = res.json().consoleUrl;
    let page = await fetch(url, { redirect: 'manual' });
    while (page.status === 302) {
      url = new URL(page.headers.get('location')!, url).toString();
      page = await fetch(url, { redirect: 'manual' });
    }
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toMatch(/id="role-name"[^>]*>\s*Developer\s*</);
    expect(html).toContain('alice@example.com');
  });

  it('issues CLI credentials that work against STS as the mapped role', async () => {
    const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'cli', durationSeconds: 900 });
    expect(res.status).toBe(201);
    const { grant, credentials, consoleUrl } = res.json();
    expect(consoleUrl).toBeUndefined();
    expect(grant.status).toBe('issued');
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: stack.aws.stsUrl,
      credentials: { ...credentials, expiration: new Date(credentials.expiration) },
      maxAttempts: 1,
    });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe('arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com');
    sts.destroy();
    const [row] = await stack.grantRows('id = $1', [grant.id]);
    expect(row.access_key_id).toBe(credentials.accessKeyId);
    expect(row.kind).toBe('cli');
  });

  it('uses the partition’s console host for a GovCloud role and refuses an off-partition destination', async () => {
    const ok = await alice.post('/api/grants', { entitlementId: ids.GovDeveloper, kind: 'console' });
    expect(ok.status).toBe(201);
    expect(new URL(ok.json().consoleUrl).searchParams.get('Destination')).toBe('https://console.amazonaws-us-gov.com/');
    const before = assumeCalls();
    const bad = await alice.post('/api/grants', { entitlementId: ids.GovDeveloper, kind: 'console', destination: 'https://console.aws.amazon.com/ec2' });
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_DESTINATION');
    expect(assumeCalls()).toBe(before);
  });

  it('refuses a destination off the console host before calling AWS', async () => {
    const before = assumeCalls();
    const rowsBefore = (await stack.grantRows()).length;
    for (const destination of [
      'https://evil.example/',
      'http://console.aws.amazon.com/',
      'https://console.aws.amazon.com.evil.example/',
      'javascript:alert(1)',
    ]) {
      const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console', destination });
      expect(res.status, destination).toBe(400);
      expect(res.json().error.code).toBe('INVALID_DESTINATION');
    }
    expect(assumeCalls()).toBe(before);
    expect((await stack.grantRows()).length).toBe(rowsBefore);
  });

  it('refuses a role the caller is not entitled to: 403, a denied row, zero STS calls', async () => {
    const before = assumeCalls();
    for (const id of [ids.Administrator, ids.Disabled, '00000000-0000-0000-0000-000000000000']) {
      const res = await alice.post('/api/grants', { entitlementId: id, kind: 'console' });
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('NOT_ENTITLED');
    }
    expect(assumeCalls()).toBe(before);
    const denied = await stack.grantRows(`status = 'denied' AND user_email = 'alice@example.com'`);
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(denied.find((r) => r.mapping_id === ids.Administrator)).toMatchObject({
      role_arn: 'arn:aws:iam::222222222222:role/platform/Administrator',
      error: 'NOT_ENTITLED',
      access_key_id: null,
    });
  });

  it.each([
    ['899', 899],
    ['43201', 43201],
    ['above the mapping maximum', 14401],
    ['a fraction', 3600.5],
    ['a string', '3600.5'],
    ['a numeric string', '3600'],
  ])('rejects duration %s with 400 and zero STS calls', async (_label, durationSeconds) => {
    const before = assumeCalls();
    const rowsBefore = (await stack.grantRows()).length;
    const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'cli', durationSeconds });
    expect(res.status).toBe(400);
    expect(['INVALID_DURATION', 'VALIDATION_FAILED']).toContain(res.json().error.code);
    expect(assumeCalls()).toBe(before);
    expect((await stack.grantRows()).length).toBe(rowsBefore);
  });

  it('requires a reason where the mapping says so', async () => {
    const before = assumeCalls();
    const res = await alice.post('/api/grants', { entitlementId: ids.ReadOnly, kind: 'cli', reason: '   ' });
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('REASON_REQUIRED');
    expect(assumeCalls()).toBe(before);
    const ok = await alice.post('/api/grants', { entitlementId: ids.ReadOnly, kind: 'cli', reason: 'INC-4711 checking queue depth' });
    expect(ok.status).toBe(201);
    const [row] = await stack.grantRows('id = $1', [ok.json().grant.id]);
    expect(row.reason).toBe('INC-4711 checking queue depth');
  });

  it('records STS AccessDenied as a failed grant and answers 502', async () => {
    const res = await alice.post('/api/grants', { entitlementId: ids.Untrusting, kind: 'console' });
    expect(res.status).toBe(502);
    expect(res.json().error.code).toBe('AWS_STS_FAILED');
    expect(res.json().error.message).toContain('AccessDenied');
    const [row] = await stack.grantRows(`role_arn = $1`, ['arn:aws:iam::222222222222:role/Untrusting']);
    expect(row).toMatchObject({ status: 'failed', error: 'sts:AccessDenied', access_key_id: null });
    expect(row.sts_request_id).toMatch(/[0-9a-f-]{36}/);
  });

  it('refuses a state-changing call without the CSRF token, calling nothing', async () => {
    const before = assumeCalls();
    const rowsBefore = (await stack.grantRows()).length;
    const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console' }, { csrf: false });
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('CSRF_INVALID');
    const wrong = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console' }, { headers: { 'x-csrf-token': 'forged' } });
    expect(wrong.status).toBe(403);
    expect(assumeCalls()).toBe(before);
    expect((await stack.grantRows()).length).toBe(rowsBefore);
  });

  it('never lets a roleArn in the body choose the role', async () => {
    const before = assumeCalls();
    const res = await alice.post('/api/grants', {
      entitlementId: ids.Developer,
      kind: 'cli',
      roleArn: 'arn:aws:iam::222222222222:role/platform/Administrator',
    });
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(assumeCalls()).toBe(before);
    expect(stack.aws.requests.some((r) => r.params.RoleArn?.includes('Administrator'))).toBe(false);
  });

  it('answers 503 and calls no AWS while the database is unreachable, then recovers', async () => {
    const before = stack.aws.requests.length;
    stack.proxy.cut();
    try {
      const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console' });
      expect(res.status).toBe(503);
      expect(res.json().error.code).toBe('DATABASE_UNAVAILABLE');
      expect((await alice.get('/readyz')).status).toBe(503);
      expect(stack.aws.requests.length).toBe(before);
    } finally {
      stack.proxy.restore();
    }
    expect((await alice.get('/readyz')).status).toBe(200);
    const again = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'cli' });
    expect(again.status).toBe(201);
  });

  it('lists the caller’s own grants with keyset pagination', async () => {
    const page1 = await alice.get('/api/grants?limit=2');
    expect(page1.status).toBe(200);
    const body = page1.json();
    expect(body.items).toHaveLength(2);
    expect(body.nextCursor).toBeTruthy();
    const page2 = (await alice.get(`/api/grants?limit=2&cursor=${body.nextCursor}`)).json();
    expect(page2.items[0].id).not.toBe(body.items[1].id);
    const bob = await stack.signIn('bob');
    const bobs = (await bob.get('/api/grants')).json();
    expect(bobs.items.every((g: { user: { email: string } }) => g.user.email === 'bob@example.com')).toBe(true);
    expect((await alice.get('/api/grants?cursor=garbage')).json().error.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /console/:accountId/:roleName', () => {
  it('sends a signed-out browser to sign in, then continues to the console', async () => {
    const b = stack.browser();
    const res = await b.get('/console/111111111111/Developer?duration=3600');
    expect(res.status).toBe(302);
    expect(res.location).toBe(`/auth/login?returnTo=${encodeURIComponent('/console/111111111111/Developer?duration=3600')}`);
  });

  it('redirects an entitled user into the console', async () => {
    const before = assumeCalls();
    const res = await alice.get('/console/111111111111/Developer?duration=1800');
    expect(res.status).toBe(302);
    expect(res.location!.startsWith(`${stack.aws.federationUrl}?Action=login`)).toBe(true);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(assumeCalls()).toBe(before + 1);
  });

  it('never takes a reason from the link: a reason-required role is refused and nothing is written', async () => {
    const before = assumeCalls();
    const res = await alice.get(`/console/222222222222/ReadOnly?reason=${encodeURIComponent('approved by security')}`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('REASON_REQUIRED');
    expect(assumeCalls()).toBe(before);
    expect(await stack.grantRows(`reason = 'approved by security'`)).toHaveLength(0);
  });

  it('records a denied grant for a role the user does not have', async () => {
    const before = assumeCalls();
    const res = await alice.get('/console/222222222222/Administrator');
    expect(res.status).toBe(403);
    expect(res.text).toContain('not entitled');
    expect(assumeCalls()).toBe(before);
    const [row] = await stack.grantRows(`status = 'denied' AND account_id = '222222222222' AND role_arn IS NULL`);
    expect(row).toBeDefined();
  });
});

describe('bad input', () => {
  it('answers malformed JSON, wrong types, big bodies, wrong media types and unknown routes with JSON errors', async () => {
    const badJson = await alice.request('POST', '/api/grants', { body: '{"kind":', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.json().error.code).toBe('INVALID_JSON');

    const wrongType = await alice.post('/api/grants', { entitlementId: 42, kind: 'shell' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json().error.code).toBe('VALIDATION_FAILED');

    const big = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'cli', reason: 'x'.repeat(100_000) });
    expect(big.status).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');

    const form = await alice.request('POST', '/api/grants', { body: 'kind=cli', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);

    const unknown = await alice.get('/api/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    expect((await stack.browser().get('/no/such/page')).status).toBe(404);
  });

  it('refuses absurd durations and NUL characters with 400, never 500, and records nothing', async () => {
    const rowsBefore = (await stack.grantRows()).length;
    const huge = await alice.post('/api/grants', { entitlementId: ids.Administrator, kind: 'cli', durationSeconds: 3_000_000_000 });
    expect(huge.status).toBe(400);
    expect(huge.json().error.code).toBe('VALIDATION_FAILED');
    const nul = await alice.post('/api/grants', { entitlementId: ids.ReadOnly, kind: 'cli', reason: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect((await stack.grantRows()).length).toBe(rowsBefore);
  });

  it('treats prototype-pollution keys as unknown fields', async () => {
    const res = await alice.request('POST', '/api/grants', {
      body: `{"entitlementId":"${ids.Developer}","kind":"cli","__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
