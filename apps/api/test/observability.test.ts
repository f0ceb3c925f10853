import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInByHttp } from '@rolegate/dev-idp';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { METRICS_TOKEN, startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function entitlementId(b: Awaited<ReturnType<Stack['signIn']>>, roleName: string): Promise<string> {
  const items: { id: string; roleName: string; accountId: string }[] = (await b.get('/api/entitlements')).json().items;
  return items.find((e) => e.roleName === roleName && e.accountId === '111111111111')!.id;
}

/** One sample of a Prometheus text exposition, or 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelPart = line.slice(name.length).split(' ')[0]!;
    if (want.every((w) => labelPart.includes(w))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('logs of a full sign-in and grant flow', () => {
  it('contain no secret: keys, session tokens, sign-in tokens, codes, ID tokens, cookies, CSRF tokens', async () => {
    const b = stack.browser();
    const start = await b.get('/auth/login?provider=oidc');
    const callback = await signInByHttp(start.location!, 'alice', stack.userPassword('alice'));
    const code = new URL(callback).searchParams.get('code')!;
    const state = new URL(callback).searchParams.get('state')!;
    expect((await b.get(callback)).status).toBe(303);
    expect((await b.me()).status).toBe(200);
    const sessionCookie = b.jar.header()!.split('=').slice(1).join('=');
    const devId = await entitlementId(b, 'Developer');

    const consoleGrant = await b.post('/api/grants', { entitlementId: devId, kind: 'console' });
    expect(consoleGrant.status).toBe(201);
    const signinToken = new URL(consoleGrant.json().consoleUrl).searchParams.get('SigninToken')!;
    const cliGrant = await b.post('/api/grants', { entitlementId: devId, kind: 'cli', durationSeconds: 900 });
    expect(cliGrant.status).toBe(201);
    const { secretAccessKey, sessionToken } = cliGrant.json().credentials;
    // A failing grant goes through the error path (which logs) too.
    stack.aws.setFault('getSigninToken', { kind: 'http5xx' });
    const failed = await b.post('/api/grants', { entitlementId: devId, kind: 'console' });
    stack.aws.setFault('getSigninToken', null);
    expect(failed.status).toBe(502);
    await b.post('/auth/logout');

    const cookieValue = b.jar.header() ?? '';
    const secrets = {
      secretAccessKey,
      sessionToken,
      signinToken,
      code,
      state,
      csrfToken: b.csrfToken!,
      sessionCookie: decodeURIComponent(sessionCookie),
      sessionId: decodeURIComponent(sessionCookie).replace(/^s:/, '').split('.')[0]!,
      ...Object.fromEntries(
        (start.headers.getSetCookie() ?? []).map((c, i) => [`cookie${i}`, decodeURIComponent(c.split(';')[0]!.split('=').slice(1).join('='))]),
      ),
    };
    for (const value of Object.values(secrets)) expect(value.length).toBeGreaterThanOrEqual(16);
    expect(cookieValue).toBe(''); // logged out: the jar was emptied by the server

    const logs = stack.logLines.join('');
    expect(logs).toContain('"statusCode":201'); // the flow was logged at all
    for (const [name, value] of Object.entries(secrets)) {
      expect(logs.includes(value), `${name} appears in the logs`).toBe(false);
    }
    // ID tokens (and any other JWT) never appear.
    expect(logs).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]+/);
    // Query strings (OAuth code/state, SigninToken) are never logged.
    expect(logs).not.toMatch(/[?&](code|state|SigninToken)=/);
  });

  it('redacts secrets even when code logs them by mistake', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    });
    const secret = 'S3CR3T-do-not-log-0123456789';
    log.info({ credentials: { secretAccessKey: secret } }, 'a');
    log.info({ grant: { secretAccessKey: secret, sessionToken: secret }, consoleUrl: `https://x/?SigninToken=${secret}` }, 'b');
    log.info({ body: { SAMLResponse: secret, id_token: secret, code: secret }, req: { headers: { cookie: secret, authorization: secret } } }, 'c');
    log.info({ SAMLResponse: secret, id_token: secret, signInUrl: secret, federation: { SigninToken: secret, Session: secret } }, 'd');
    expect(lines).toHaveLength(4);
    expect(lines.join('')).not.toContain(secret);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('tags every line logged while serving a request with its request id, errors included', async () => {
    const b = await stack.signIn('alice');
    const devId = await entitlementId(b, 'Developer');
    stack.aws.setFault('AssumeRole', { kind: 'http5xx', status: 503 });
    const res = await b.post('/api/grants', { entitlementId: devId, kind: 'cli' });
    stack.aws.setFault('AssumeRole', null);
    expect(res.status).toBe(502);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const mine = stack.logLines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.reqId === id || l.req?.id === id);
    // The error line of the error handler and the access line.
    expect(mine.some((l) => l.msg === 'request failed' && l.reqId === id && l.code === 'AWS_STS_FAILED')).toBe(true);
    expect(mine.some((l) => l.msg === 'request completed' && l.res?.statusCode === 502 && l.req?.path === '/api/grants')).toBe(true);
    expect(mine.every((l) => l.reqId === id)).toBe(true);
  });
});

/** A Prometheus scrape with the stack's token. */
const scrape = (token: string | null = METRICS_TOKEN) => fetch(`${stack.baseUrl}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('GET /metrics', () => {
  // Attack: anyone who reaches the port reads who is active and how much.
  it('answers only a scrape with METRICS_TOKEN: 401 without or with a wrong one', async () => {
    for (const token of [null, 'wrong-token-0123456789abcdef']) {
      const res = await scrape(token);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('rolegate_grants_total');
    }
    expect((await scrape()).status).toBe(200);
  });

  it('counts grants by status and kind, STS and federation latency, sign-ins, pool use and HTTP timings', async () => {
    const before = await (await scrape()).text();
    const b = await stack.signIn('alice');
    const devId = await entitlementId(b, 'Developer');
    expect((await b.post('/api/grants', { entitlementId: devId, kind: 'console' })).status).toBe(201);
    stack.aws.setFault('AssumeRole', { kind: 'throttle' });
    expect((await b.post('/api/grants', { entitlementId: devId, kind: 'cli' })).status).toBe(502);
    stack.aws.setFault('AssumeRole', null);

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.headers.get('set-cookie')).toBeNull(); // scrapes create no sessions
    const text = await res.text();
    const delta = (name: string, labels: Record<string, string>) => sample(text, name, labels) - sample(before, name, labels);
    expect(delta('rolegate_grants_total', { status: 'issued', kind: 'console' })).toBe(1);
    expect(delta('rolegate_grants_total', { status: 'pending', kind: 'console' })).toBe(1);
    expect(delta('rolegate_grants_total', { status: 'failed', kind: 'cli' })).toBe(1);
    expect(delta('rolegate_sts_request_duration_seconds_count', { action: 'AssumeRole', outcome: 'ok' })).toBe(1);
    expect(delta('rolegate_sts_request_duration_seconds_count', { action: 'AssumeRole', outcome: 'Throttling' })).toBe(1);
    expect(delta('rolegate_federation_request_duration_seconds_count', { action: 'getSigninToken', outcome: 'ok' })).toBe(1);
    expect(delta('rolegate_sign_ins_total', { idp: 'oidc', outcome: 'success' })).toBe(1);
    expect(text).toMatch(/^rolegate_db_pool_connections\{state="total"\} [1-9]/m);
    expect(text).toMatch(/^rolegate_db_pool_connections\{state="waiting"\} \d+/m);
    expect(delta('rolegate_http_request_duration_seconds_count', { method: 'POST', route: '/api/grants', status: '201' })).toBe(1);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // Labels carry no people or ARNs.
    expect(text).not.toMatch(/alice|arn:aws|111111111111/);
  });

  it('shows whether each change feed is live (its cache on) or down (reading through)', async () => {
    // The feeds connect in the background after start.
    const live = async () => {
      const text = await (await scrape()).text();
      return [
        sample(text, 'rolegate_change_feed_live', { channel: 'rolegate_mappings' }),
        sample(text, 'rolegate_change_feed_live', { channel: 'rolegate_sessions' }),
      ];
    };
    await expect.poll(live, { timeout: 5000, interval: 50 }).toEqual([1, 1]);

    const metrics = createMetrics({ defaultMetrics: false });
    let up = false;
    metrics.watchFeed('rolegate_test', { isLive: () => up });
    expect(await metrics.registry.metrics()).toMatch(/^rolegate_change_feed_live\{channel="rolegate_test"\} 0$/m);
    up = true;
    expect(await metrics.registry.metrics()).toMatch(/^rolegate_change_feed_live\{channel="rolegate_test"\} 1$/m);
  });

  it('counts refused sign-ins by outcome', async () => {
    const before = sample(await (await scrape()).text(), 'rolegate_sign_ins_total', { idp: 'oidc', outcome: 'LOGIN_FAILED' });
    const b = stack.browser();
    expect((await b.get('/auth/oidc/callback?code=forged&state=forged')).status).toBe(400);
    const after = sample(await (await scrape()).text(), 'rolegate_sign_ins_total', { idp: 'oidc', outcome: 'LOGIN_FAILED' });
    expect(after).toBe(before + 1);
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document built from the contract, listing the routes', async () => {
    const res = await fetch(`${stack.baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/auth/login',
      '/auth/oidc/callback',
      '/auth/logout',
      '/api/me',
      '/api/entitlements',
      '/api/grants',
      '/console/{accountId}/{roleName}',
      '/auth/saml/acs',
      '/auth/saml/metadata',
      '/api/admin/mappings',
      '/api/admin/mappings/{id}',
      '/api/admin/mappings/export',
      '/api/admin/mappings/import',
      '/api/admin/accounts/{id}',
      '/api/me/preferences',
      '/api/admin/changes',
      '/api/audit/grants',
      '/api/audit/grants/export',
      '/api/audit/grants/{id}',
      '/healthz',
      '/readyz',
      '/metrics',
      '/openapi.json',
    ]) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(Object.keys(doc.paths['/api/grants']!).sort()).toEqual(['get', 'post']);
    // The request body is the strict contract schema: a client-supplied roleArn is not part of it.
    const req = doc.components.schemas.CreateGrantRequest;
    expect(req).toMatchObject({ type: 'object', additionalProperties: false, required: ['entitlementId', 'kind'] });
    expect(Object.keys(req.properties).sort()).toEqual(['destination', 'durationSeconds', 'entitlementId', 'kind', 'reason']);
    expect(req.properties.kind.enum).toEqual(['console', 'cli']);
    expect(doc.paths['/api/grants']!.post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateGrantRequest' });
    expect(Object.keys(doc.paths['/api/grants']!.post.responses)).toEqual(expect.arrayContaining(['201', '400', '403', '502', '503']));
    // Every $ref resolves.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) expect(doc.components.schemas[r], r).toBeDefined();
    // Every documented parameterless GET exists in the app.
    for (const [path, ops] of Object.entries(doc.paths)) {
      // SAML routes exist only when SAML_* is configured (this stack is OIDC only).
      if (!ops.get || path.includes('{') || path.startsWith('/auth/saml/')) continue;
      const r = await fetch(`${stack.baseUrl}${path}`, { redirect: 'manual' });
      expect(r.status, path).not.toBe(404);
    }
  });
});

describe('GET /readyz', () => {
  it('is 503 while the database is unreachable and 200 again once it is back', async () => {
    expect((await fetch(`${stack.baseUrl}/readyz`)).status).toBe(200);
    stack.proxy.cut();
    try {
      const down = await fetch(`${stack.baseUrl}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'unavailable', checks: { database: 'unreachable' } });
      expect((await fetch(`${stack.baseUrl}/healthz`)).status).toBe(200); // alive, just not ready
    } finally {
      stack.proxy.restore();
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${stack.baseUrl}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});
