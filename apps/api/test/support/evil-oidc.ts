import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * How to forge the ID token of one authorization code. Every attack starts
 * from the valid token this IdP would issue and changes one thing.
 */
export interface IdTokenTamper {
  /**
   * - `none`: unsigned JWT (`alg: none`, empty signature);
   * - `hs256-public-key`: HMAC-SHA256 keyed with our RSA public key (PEM), the
   *   classic algorithm-confusion attack, with the JWKS key's `kid`;
   * - `key-outside-jwks`: RS256 by a key the JWKS does not hold, under the JWKS key's `kid`;
   * - `unknown-kid`: RS256 by a key the JWKS does not hold, under a `kid` the JWKS does not list.
   */
  signing?: 'none' | 'hs256-public-key' | 'key-outside-jwks' | 'unknown-kid';
  /** Claim overrides; a key present with value `undefined` removes that claim. */
  claims?: Record<string, unknown>;
  /** Sign with this other provider's key and `kid` (mix-up: a token made by the other issuer). */
  signer?: EvilOidcProvider;
}

/** One call to the token endpoint, as the IdP saw it. */
export interface TokenRequest {
  code: string | undefined;
  codeVerifier: string | undefined;
  /** 'ok' or the OAuth error the IdP answered. */
  outcome: string;
}

export interface EvilOidcOptions {
  clientId?: string;
  clientSecret?: string;
  /** Claims of the person who signs in (sub, email, name, groups). */
  user?: Record<string, unknown>;
  /** Send RFC 9207 `iss` in the authorization response and advertise it in discovery (default true). */
  issParameter?: boolean;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  used: boolean;
  tamper: IdTokenTamper;
}

/**
 * A minimal OpenID Connect provider under the test's control, on node:http:
 * discovery, JWKS, authorize and token endpoints. Honest by default — the
 * token endpoint checks client authentication, redirect_uri, PKCE S256 and
 * single use of codes — and able to forge each ID-token attack on request.
 */
export async function startEvilOidcProvider(opts: EvilOidcOptions = {}) {
  const clientId = opts.clientId ?? 'rolegate-test';
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString('base64url');
  const issParameter = opts.issParameter ?? true;
  const kid = `k-${randomBytes(6).toString('hex')}`;
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const rogue = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const publicPem = await exportSPKI(publicKey);

  const codes = new Map<string, AuthCode>();
  const tokenRequests: TokenRequest[] = [];
  const authorizeRequests: URLSearchParams[] = [];

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function clientAuthenticated(req: IncomingMessage): boolean {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Basic ')) return false;
    const [id, secret] = Buffer.from(auth.slice(6), 'base64')
      .toString('utf8')
      .split(':')
      .map((p) => decodeURIComponent(p));
    return id === clientId && secret === clientSecret;
  }

  async function signIdToken(payload: Record<string, unknown>, signing: IdTokenTamper['signing']): Promise<string> {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    switch (signing) {
      case 'none':
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
      case 'hs256-public-key':
        return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(new TextEncoder().encode(publicPem));
      case 'key-outside-jwks':
        return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(rogue.privateKey);
      case 'unknown-kid':
        return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'no-such-key', typ: 'JWT' }).sign(rogue.privateKey);
      default:
        return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey as CryptoKey);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        ...(issParameter ? { authorization_response_iss_parameter_supported: true } : {}),
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return json(res, 200, { keys: [publicJwk] });
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const q = url.searchParams;
      authorizeRequests.push(new URLSearchParams(q));
      const redirectUri = q.get('redirect_uri');
      if (q.get('client_id') !== clientId || !redirectUri || q.get('response_type') !== 'code') return json(res, 400, { error: 'invalid_request' });
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        clientId,
        redirectUri,
        nonce: q.get('nonce') ?? undefined,
        codeChallenge: q.get('code_challenge') ?? undefined,
        codeChallengeMethod: q.get('code_challenge_method') ?? undefined,
        used: false,
        tamper: {},
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      const state = q.get('state');
      if (state !== null) back.searchParams.set('state', state);
      if (issParameter) back.searchParams.set('iss', issuer);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(await readBody(req));
      const code = form.get('code') ?? undefined;
      const codeVerifier = form.get('code_verifier') ?? undefined;
      const refuse = (error: string, status = 400) => {
        tokenRequests.push({ code, codeVerifier, outcome: error });
        json(res, status, { error });
      };
      if (!clientAuthenticated(req)) return refuse('invalid_client', 401);
      const entry = code ? codes.get(code) : undefined;
      if (form.get('grant_type') !== 'authorization_code' || !entry) return refuse('invalid_grant');
      // Codes are single-use (RFC 6749 §4.1.2).
      if (entry.used) return refuse('invalid_grant');
      entry.used = true;
      if (form.get('redirect_uri') !== entry.redirectUri) return refuse('invalid_grant');
      // PKCE (RFC 7636): a code issued for a challenge is redeemed only with its verifier.
      if (entry.codeChallenge !== undefined) {
        if (entry.codeChallengeMethod !== 'S256' || !codeVerifier) return refuse('invalid_grant');
        if (createHash('sha256').update(codeVerifier).digest('base64url') !== entry.codeChallenge) return refuse('invalid_grant');
      }
      const now = Math.floor(Date.now() / 1000);
      const base: Record<string, unknown> = {
        iss: issuer,
        sub: 'victim',
        aud: clientId,
        iat: now,
        exp: now + 600,
        ...(entry.nonce !== undefined ? { nonce: entry.nonce } : {}),
        email: 'victim@example.com',
        email_verified: true,
        name: 'Victim Example',
        groups: ['engineers'],
        ...opts.user,
      };
      const payload: Record<string, unknown> = { ...base };
      for (const [k, v] of Object.entries(entry.tamper.claims ?? {})) {
        if (v === undefined) delete payload[k];
        else payload[k] = v;
      }
      const idToken = entry.tamper.signer
        ? await entry.tamper.signer.signIdToken(payload, entry.tamper.signing)
        : await signIdToken(payload, entry.tamper.signing);
      tokenRequests.push({ code, codeVerifier, outcome: 'ok' });
      return json(res, 200, { access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: 600, id_token: idToken });
    }
    json(res, 404, { error: 'not_found' });
  }

  const provider = {
    issuer,
    clientId,
    clientSecret,
    /** Every call to the token endpoint, oldest first. */
    tokenRequests,
    /** The query of every authorization request, oldest first. */
    authorizeRequests,
    signIdToken,
    /**
     * Follows an authorization URL as the browser would (the person is signed
     * in at this IdP) and returns the callback URL; the ID token later issued
     * for that code is forged as `tamper` says.
     */
    async authorize(authorizationUrl: string, tamper: IdTokenTamper = {}): Promise<string> {
      const res = await fetch(authorizationUrl, { redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status !== 302 || !location) throw new Error(`authorize failed: ${res.status} ${await res.text()}`);
      const code = new URL(location).searchParams.get('code')!;
      codes.get(code)!.tamper = tamper;
      return location;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return provider;
}

export type EvilOidcProvider = Awaited<ReturnType<typeof startEvilOidcProvider>>;
