import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEVELOPER, type Stack, startStack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { formFields, postForm } from './cli-support.js';

let stack: Stack;
let alice: TestBrowser;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER });
  alice = await stack.signIn('alice');
});
afterAll(async () => {
  await stack?.close();
});

const LINK = '/console/111111111111/Developer?duration=7200';
const assumeCalls = () => stack.aws.countCalls('AssumeRole');

// Attack: any web page links or redirects a signed-in employee to the deep
// link, and a 12-hour session is minted in their name without them asking.
describe('console deep link followed from another site', () => {
  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['no fetch metadata and a foreign Referer', { referer: 'https://evil.example/cats' }],
  ])('%s: shows the interstitial and calls no STS', async (_name, headers) => {
    const before = assumeCalls();
    const res = await alice.get(LINK, { accept: 'text/html', ...headers });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Open the AWS console?');
    expect(res.text).toMatch(/Developer.*111111111111.*2 h/s);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(assumeCalls()).toBe(before);
  });

  it('the interstitial grants only with its CSRF token, from our own origin', async () => {
    const page = await alice.get(LINK, { accept: 'text/html', 'sec-fetch-site': 'cross-site' });
    const fields = formFields(page.text);
    const before = assumeCalls();
    const { _csrf: _omit, ...noToken } = fields;
    expect((await postForm(alice, '/console/111111111111/Developer', noToken)).status).toBe(403);
    const crossSite = await alice.request('POST', '/console/111111111111/Developer', {
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(assumeCalls()).toBe(before);
    const ok = await postForm(alice, '/console/111111111111/Developer', fields);
    expect(ok.status).toBe(303);
    expect(ok.location).toContain('Action=login');
    expect(assumeCalls()).toBe(before + 1);
    const rows = await stack.grantRows(`kind = 'console'`);
    expect(rows.at(-1)).toMatchObject({ status: 'issued', duration_seconds: 7200 });
  });

  it.each([
    ['a bookmark or typed URL (Sec-Fetch-Site: none)', { 'sec-fetch-site': 'none' }],
    ['a link on our own pages (same-origin)', { 'sec-fetch-site': 'same-origin' }],
    ['no fetch metadata and no Referer', {}],
  ])('%s goes straight to the console', async (_name, headers) => {
    const before = assumeCalls();
    const res = await alice.get(LINK, headers);
    expect(res.status).toBe(302);
    expect(res.location).toContain('Action=login');
    expect(assumeCalls()).toBe(before + 1);
  });
});
