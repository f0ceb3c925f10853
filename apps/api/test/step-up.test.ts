import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInByHttp } from '@rolegate/dev-idp';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { formFields, loopbackStart, postForm } from './cli-support.js';

// Approving a CLI sign-in hands whoever started it a token for the person's
// roles. A session signed in hours ago (an unattended browser, a stolen
// cookie, a victim lured to the page) must not be enough: the IdP must have
// authenticated the person within STEP_UP_MAX_AGE_SECONDS.
const MAX_AGE = 3;

let stack: Stack;
let alice: TestBrowser;

beforeAll(async () => {
  stack = await startStack({ env: { STEP_UP_MAX_AGE_SECONDS: String(MAX_AGE) } });
  alice = await stack.signIn('alice');
});
afterAll(async () => {
  await stack?.close();
});

const staleness = () => new Promise((r) => setTimeout(r, MAX_AGE * 1000 + 700));

/** Follows a step-up: our redirect to /auth/login, the IdP (which asks for the password again), the callback. */
async function stepUp(b: TestBrowser, location: string): Promise<string> {
  const login = await b.get(location);
  expect(login.status).toBe(302);
  const idpUrl = new URL(login.location!);
  expect(idpUrl.searchParams.get('max_age')).toBe(String(MAX_AGE));
  const callback = await signInByHttp(idpUrl.href, 'alice', stack.userPassword('alice'));
  const done = await b.get(callback);
  expect(done.status).toBe(303);
  await b.me();
  return done.location!;
}

describe('fresh sign-in for CLI approvals', () => {
  it('sends a stale session through the IdP (max_age) before the device page, then shows it', async () => {
    await staleness();
    const page = await alice.get('/cli/device', { accept: 'text/html' });
    expect(page.status).toBe(302);
    expect(page.location).toMatch(/^\/auth\/login\?provider=oidc&fresh=1&returnTo=/);
    const back = await stepUp(alice, page.location!);
    expect(back).toBe('/cli/device?stepped=1');
    const fresh = await alice.get(back, { accept: 'text/html' });
    expect(fresh.status).toBe(200);
    expect(fresh.text).toContain('name="user_code"');
  });

  it('refuses an approval posted with a stale sign-in, and the CLI gets no token', async () => {
    const start = await fetch(`${stack.baseUrl}/api/cli/device`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"label":"x"}' });
    const d = (await start.json()) as { deviceCode: string; userCode: string };
    const b = await stack.signIn('alice');
    const form = await b.get('/cli/device', { accept: 'text/html' });
    const confirm = await postForm(b, '/cli/device', { ...formFields(form.text), user_code: d.userCode });
    expect(confirm.status).toBe(200);
    await staleness();
    const decided = await postForm(b, '/cli/device/decide', { ...formFields(confirm.text), decision: 'approve' });
    expect(decided.status).toBe(403);
    expect(decided.text).toContain('STEP_UP_REQUIRED');
    expect(decided.headers.get('content-type')).toContain('text/html');
    const status = (await stack.sql.query(`SELECT status FROM cli_login_requests WHERE user_code = $1`, [d.userCode])).rows[0].status;
    expect(status).toBe('pending');
  });

  it('the loopback Allow page steps up too, and a stale Allow post issues no code', async () => {
    const b = await stack.signIn('alice');
    const s = loopbackStart();
    const page = await b.get(`/cli/login?${s.query}`, { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Only approve a code that your own terminal shows you, right now');
    expect(page.text).toContain('127.0.0.1');
    await staleness();
    const refused = await postForm(b, '/cli/login', formFields(page.text));
    expect(refused.status).toBe(403);
    expect(refused.location).toBeNull();
    const again = await b.get(`/cli/login?${s.query}`, { accept: 'text/html' });
    expect(again.status).toBe(302);
    expect(again.location).toContain('fresh=1');
  });
});
