import { createHash, randomBytes } from 'node:crypto';
import { startDevOidcProvider, type DevOidcProvider, type OidcClientRegistration } from '../src/index.js';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

/** A client with a unique id and secret per test. */
export function testClient(): OidcClientRegistration {
  return { clientId: `rolegate-${randomBytes(4).toString('hex')}`, clientSecret: randomBytes(24).toString('base64url'), redirectUris: [REDIRECT_URI] };
}

export async function startIdp(client: OidcClientRegistration, issuerPath?: string): Promise<DevOidcProvider> {
  return startDevOidcProvider({ clients: [client], ...(issuerPath === undefined ? {} : { issuerPath }) });
}

export interface AuthRequest {
  url: string;
  state: string;
  nonce: string;
  verifier: string;
}

/** Builds an authorization URL like an RP would (code flow, PKCE S256) from the discovery document. */
export async function authorizationRequest(issuer: string, clientId: string, overrides: Record<string, string | undefined> = {}): Promise<AuthRequest> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const params: Record<string, string | undefined> = {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile groups',
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...overrides,
  };
  const url = new URL(discovery.authorization_endpoint);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { url: url.href, state, nonce, verifier };
}

export function decodeJwtPart(part: string | undefined): Record<string, unknown> {
  if (!part) throw new Error('malformed JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
