import { afterEach, describe, expect, it } from 'vitest';
import { CookieJar, signInByHttp, type DevOidcProvider } from '../src/index.js';
import { REDIRECT_URI, authorizationRequest, startIdp, testClient } from './helpers.js';

/** Follows redirects by hand (keeping cookies) until a page is returned or the client's redirect_uri is reached. */
async function browse(url: string, jar: CookieJar): Promise<Response> {
  for (let i = 0; i < 10; i++) {
    const cookie = jar.header();
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    jar.store(res.headers.getSetCookie());
    const location = res.headers.get('location');
    if (!location || new URL(location, url).href.startsWith(REDIRECT_URI)) return res;
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

describe('failures', () => {
  let idp: DevOidcProvider | undefined;
  afterEach(async () => {
    await idp?.close();
    idp = undefined;
  });

  it('re-renders the login form with 401 and issues no code on a wrong password', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId);
    const jar = new CookieJar();
    const page = await browse(req.url, jar);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Rolegate demo IdP');
    expect(html).toContain('id="username"');
    expect(html).toContain('id="password"');
    expect(html).toContain('id="sign-in"');
    const action = /action="([^"]+)"/.exec(html)?.[1];
    expect(action).toMatch(/^\/interaction\/[\w-]+\/login$/);

    const cookie = jar.header() ?? '';
    const res = await fetch(new URL(action as string, idp.issuer), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice"><script>x</script>', password: 'not-her-password' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    const again = await res.text();
    expect(again).toContain('Wrong username or password');
    expect(again).toContain('id="sign-in"');
    // The echoed username is escaped, not injected.
    expect(again).toContain('value="alice&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(again).not.toContain('<script>');
    expect(again).not.toContain('code=');
  });

  it('signInByHttp throws a clear error on a wrong password', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId);
    await expect(signInByHttp(req.url, 'alice', 'wrong-password')).rejects.toThrow(/wrong username or password/);
    await expect(signInByHttp(req.url, 'mallory', 'anything')).rejects.toThrow(/wrong username or password/);
  });

  it('redirects with an error when the request has no code_challenge (PKCE required)', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId, { code_challenge: undefined, code_challenge_method: undefined });
    const res = await fetch(req.url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('rejects the plain PKCE method', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId, { code_challenge_method: 'plain' });
    const res = await fetch(req.url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('answers an unknown client with an error page and no redirect', async () => {
    idp = await startIdp(testClient());
    const req = await authorizationRequest(idp.issuer, 'no-such-client');
    const res = await fetch(req.url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('invalid_client');
  });

  it('refuses a redirect_uri that is not registered', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId, { redirect_uri: 'http://evil.example/callback' });
    const res = await fetch(req.url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });
});
