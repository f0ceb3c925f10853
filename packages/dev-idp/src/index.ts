import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createInteractionHandler } from './interactions.js';
import { createOidcProvider, type OidcClientRegistration } from './oidc-provider.js';
import { demoUsersWithRandomPasswords, type DemoUser } from './users.js';

export { DEMO_USERS, type DemoUser } from './users.js';
export type { OidcClientRegistration } from './oidc-provider.js';
export { CookieJar, signInByHttp, type SignInOptions } from './http-signin.js';

/** Options for `startDevOidcProvider`. */
export interface DevOidcOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: a random free port). */
  port?: number;
  clients: OidcClientRegistration[];
  /** Default: DEMO_USERS, each with a fresh random password. */
  users?: DemoUser[];
  /** Lifetime of issued ID tokens (default 3600). */
  idTokenTtlSeconds?: number;
  /** Path of the issuer below the origin, '' (default) or like '/oidc'. */
  issuerPath?: string;
}

/** A running demo IdP. */
export interface DevOidcProvider {
  /** e.g. http://127.0.0.1:PORT (plus issuerPath). */
  issuer: string;
  /** The users who can sign in, with their passwords. */
  users: DemoUser[];
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/**
 * Starts a local OpenID Connect provider (oidc-provider) with a real login form for the given clients.
 * Throws when issuerPath is malformed or the port cannot be bound.
 */
export async function startDevOidcProvider(opts: DevOidcOptions): Promise<DevOidcProvider> {
  const host = opts.host ?? '127.0.0.1';
  const basePath = opts.issuerPath ?? '';
  if (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
    throw new Error(`issuerPath must be '' or like '/oidc' (no trailing slash), got ${JSON.stringify(basePath)}`);
  }
  const users = opts.users ?? demoUsersWithRandomPasswords();

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handle(req, res));
  // `once` rejects if 'error' (a taken port) comes first.
  await once(server.listen(opts.port ?? 0, host), 'listening');

  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}${basePath}`;
  const provider = createOidcProvider(issuer, {
    clients: opts.clients,
    users,
    idTokenTtlSeconds: opts.idTokenTtlSeconds ?? 3600,
    basePath,
  });
  const interactions = createInteractionHandler(provider, users, basePath);
  const oidc = provider.callback();

  handle = (req, res) => {
    interactions(req, res)
      .then((handled) => {
        if (handled) return;
        const url = req.url ?? '/';
        if (basePath === '') return oidc(req, res);
        if (url === basePath || url.startsWith(`${basePath}/`) || url.startsWith(`${basePath}?`)) {
          // Mounted below a path: oidc-provider derives its mount path from originalUrl vs url.
          (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
          const rest = url.slice(basePath.length);
          req.url = rest.startsWith('/') ? rest : `/${rest}`;
          return oidc(req, res);
        }
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      });
  };

  return {
    issuer,
    users,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
export { startDevSamlIdp, type DevSamlIdp, type DevSamlIdpOptions } from './saml-idp.js';
export { signInSamlByHttp, type SamlPost } from './saml-signin.js';
export { generateSigningMaterial, type SigningMaterial } from './saml-cert.js';
