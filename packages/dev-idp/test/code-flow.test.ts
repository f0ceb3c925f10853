import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { signInByHttp, type DevOidcProvider, type OidcClientRegistration } from '../src/index.js';
import { REDIRECT_URI, authorizationRequest, decodeJwtPart, startIdp, testClient } from './helpers.js';

function password(idp: DevOidcProvider, username: string): string {
  const user = idp.users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  return user.password;
}

async function redeem(idp: DevOidcProvider, client: OidcClientRegistration, code: string, verifier: string, auth: 'basic' | 'post') {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') {
    const credentials = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
    headers['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  } else {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  }
  const res = await fetch(`${idp.issuer}/token`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('authorization code flow with PKCE', () => {
  let idp: DevOidcProvider | undefined;
  afterEach(async () => {
    await idp?.close();
    idp = undefined;
  });

  it('signs alice in and issues an RS256 ID token with her claims, verifiable against the JWKS', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId);

    const callback = new URL(await signInByHttp(req.url, 'alice', password(idp, 'alice')));
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(req.state);
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const token = await redeem(idp, client, code as string, req.verifier, 'basic');
    expect(token.status).toBe(200);
    const idToken = token.json['id_token'] as string;
    const [h, p, s] = idToken.split('.');
    const header = decodeJwtPart(h);
    const payload = decodeJwtPart(p);
    expect(header['alg']).toBe('RS256');
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: client.clientId,
      sub: 'alice',
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Example',
      preferred_username: 'alice',
      groups: ['engineers'],
      nonce: req.nonce,
    });

    const jwks = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: Array<JsonWebKey & { kid: string }> };
    const jwk = jwks.keys.find((k) => k.kid === header['kid']);
    expect(jwk).toBeDefined();
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    const signed = Buffer.from(`${h}.${p}`);
    expect(verify('RSA-SHA256', signed, key, Buffer.from(s as string, 'base64url'))).toBe(true);
    // A tampered payload must not verify (the check above is not vacuous).
    const forged = Buffer.from(`${h}.${Buffer.from(JSON.stringify({ ...payload, groups: ['platform-admins'] })).toString('base64url')}`);
    expect(verify('RSA-SHA256', forged, key, Buffer.from(s as string, 'base64url'))).toBe(false);
  });

  it('accepts client_secret_post and releases bob’s groups', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId);
    const callback = new URL(await signInByHttp(req.url, 'bob', password(idp, 'bob')));
    const token = await redeem(idp, client, callback.searchParams.get('code') ?? '', req.verifier, 'post');
    expect(token.status).toBe(200);
    const payload = decodeJwtPart((token.json['id_token'] as string).split('.')[1]);
    expect(payload).toMatchObject({ sub: 'bob', groups: ['platform-admins'] });
  });

  it('rejects the code with a wrong code_verifier', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId);
    const callback = new URL(await signInByHttp(req.url, 'alice', password(idp, 'alice')));
    const token = await redeem(idp, client, callback.searchParams.get('code') ?? '', `${req.verifier}x`, 'basic');
    expect(token.status).toBe(400);
    expect(token.json['error']).toBe('invalid_grant');
  });

  it('rejects a wrong client secret at the token endpoint', async () => {
    const client = testClient();
    idp = await startIdp(client);
    const req = await authorizationRequest(idp.issuer, client.clientId);
    const callback = new URL(await signInByHttp(req.url, 'alice', password(idp, 'alice')));
    const token = await redeem(idp, { ...client, clientSecret: 'wrong' }, callback.searchParams.get('code') ?? '', req.verifier, 'basic');
    expect(token.status).toBe(401);
    expect(token.json['error']).toBe('invalid_client');
  });

  it('works end to end when mounted below issuerPath', async () => {
    const client = testClient();
    idp = await startIdp(client, '/oidc');
    const req = await authorizationRequest(idp.issuer, client.clientId);
    expect(req.url.startsWith(`${idp.issuer}/auth?`)).toBe(true);
    const callback = new URL(await signInByHttp(req.url, 'carol', password(idp, 'carol')));
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    const token = await redeem(idp, client, callback.searchParams.get('code') ?? '', req.verifier, 'basic');
    expect(token.status).toBe(200);
    expect(decodeJwtPart((token.json['id_token'] as string).split('.')[1])).toMatchObject({ iss: idp.issuer, sub: 'carol', groups: ['auditors'] });
  });
});
