import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider, { type Account, type ClientMetadata, type Configuration, type JWK } from 'oidc-provider';
import { interactionPath } from './interactions.js';
import { createMemoryAdapter } from './memory-adapter.js';
import { renderErrorPage } from './login-page.js';
import type { DemoUser } from './users.js';

/** A relying party registered at the demo IdP. */
export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/** What `createOidcProvider` needs besides the issuer. */
export interface ProviderSettings {
  clients: readonly OidcClientRegistration[];
  users: readonly DemoUser[];
  idTokenTtlSeconds: number;
  /** Path prefix of the issuer ('' or '/something'); the interaction routes live under it. */
  basePath: string;
}

/** Scopes and the claims each one releases; `groups` carries the IdP groups Rolegate maps to roles. */
export const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'preferred_username'],
  groups: ['groups'],
} as const;

/** A new RS256 signing key as a private JWK (a fresh key per start: nothing signed by an old run verifies). */
export function generateSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kty: 'RSA', kid: randomUUID(), alg: 'RS256', use: 'sig' } as JWK;
}

/** Account claims for a demo user; `sub` is the username. */
export function accountFor(user: DemoUser): Account {
  return {
    accountId: user.username,
    claims: () => ({
      sub: user.username,
      email: user.email,
      email_verified: true,
      name: user.name,
      preferred_username: user.username,
      groups: [...user.groups],
    }),
  };
}

function clientMetadata(client: OidcClientRegistration): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: [...client.redirectUris],
    response_types: ['code'],
    // refresh_token: Rolegate's OIDC_REFRESH_GROUPS re-checks a CLI token's groups with it.
    grant_types: ['authorization_code', 'refresh_token'],
    // oidc-provider accepts client_secret_post as well for a client registered with client_secret_basic.
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
    // auth_time in every ID token: Rolegate's step-up checks how fresh the sign-in is.
    require_auth_time: true,
  };
}

/** Configures oidc-provider for the demo: code flow only, PKCE S256 required, RS256 ID tokens carrying the user's claims. */
export function createOidcProvider(issuer: string, settings: ProviderSettings): Provider {
  const configuration: Configuration = {
    // In memory on purpose (a demo IdP, gone with the process); see memory-adapter.ts.
    adapter: createMemoryAdapter(),
    clients: settings.clients.map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    // Every authorization request must carry an S256 code_challenge (authorization code interception).
    pkce: { required: () => true },
    jwks: { keys: [generateSigningKey()] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    claims: Object.fromEntries(Object.entries(CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    // A refresh token for every code exchange of a client registered for the grant:
    // oidc-provider drops `offline_access` unless prompt=consent, which Rolegate does not send.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // It outlives the IdP session (like offline access at a real IdP); it ends with the Grant.
    expiresWithSession: () => false,
    // Put email, name and groups into the ID token itself, not only behind userinfo.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => interactionPath(settings.basePath, interaction.uid) },
    // Looked up at every use: a person removed from `users` can no longer refresh, as at a real IdP.
    findAccount: (_ctx, sub) => {
      const user = settings.users.find((u) => u.username === sub);
      return user ? accountFor(user) : undefined;
    },
    // Errors that cannot be sent back to a verified redirect_uri (unknown client, bad redirect_uri).
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.set('cache-control', 'no-store');
      ctx.body = renderErrorPage(`${out['error'] ?? 'error'}`, out['error_description'] === undefined ? undefined : `${out['error_description']}`);
    },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: settings.idTokenTtlSeconds,
      Interaction: 600,
      Session: 3600,
      Grant: 24 * 3600,
      RefreshToken: 24 * 3600,
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  return provider;
}
