import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as validator from '@authenio/samlify-node-xmllint';
import * as samlify from 'samlify';
import { escapeHtml, renderErrorPage, renderLoginPage } from './login-page.js';
import { generateSigningMaterial } from './saml-cert.js';
import { authenticate, demoUsersWithRandomPasswords, type DemoUser } from './users.js';
import { readForm } from './read-form.js';

/** Options for `startDevSamlIdp`. */
export interface DevSamlIdpOptions {
  /** The one service provider this IdP answers. */
  sp: { entityId: string; acsUrl: string };
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Host name used in the IdP's URLs (default: `host`). Use the app's host
   * name so the ACS form post is same-site in plain-http demos.
   */
  urlHost?: string;
  /** Port to listen on (default 0: a random free port). */
  port?: number;
  /** Default: DEMO_USERS with fresh random passwords (pass the OIDC IdP's users to share passwords). */
  users?: DemoUser[];
  /** Name of the attribute carrying the groups (default "groups"; always multi-valued). */
  groupsAttribute?: string;
}

/** A running demo SAML IdP. */
export interface DevSamlIdp {
  /** IdP entity id (the assertion Issuer). */
  entityId: string;
  /** SSO URL (HTTP-Redirect binding). */
  ssoUrl: string;
  /** IdP metadata URL. */
  metadataUrl: string;
  /** The signing certificate (PEM), generated at start. */
  certificatePem: string;
  users: DemoUser[];
  close(): Promise<void>;
}

const PENDING_TTL_MS = 10 * 60 * 1000;
const AUTO_POST = 'document.forms[0].submit();';
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${createHash('sha256').update(AUTO_POST).digest('base64')}'; frame-ancestors 'none'`,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

let validatorSet = false;

function xmlEscape(s: string): string {
  return escapeHtml(s);
}

/** The Response template: NameID = email, attributes email, displayName and a multi-valued groups attribute. */
function responseXml(v: {
  id: string;
  assertionId: string;
  now: string;
  later: string;
  issuer: string;
  acsUrl: string;
  audience: string;
  inResponseTo: string;
  user: DemoUser;
  groupsAttribute: string;
}): string {
  const attr = (name: string, values: string[]) =>
    `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
      .map(
        (x) =>
          `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${xmlEscape(x)}</saml:AttributeValue>`,
      )
      .join('')}</saml:Attribute>`;
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${v.id}" Version="2.0" IssueInstant="${v.now}" Destination="${xmlEscape(v.acsUrl)}" InResponseTo="${xmlEscape(v.inResponseTo)}">` +
    `<saml:Issuer>${xmlEscape(v.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${v.assertionId}" Version="2.0" IssueInstant="${v.now}">` +
    `<saml:Issuer>${xmlEscape(v.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${xmlEscape(v.user.email)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${v.later}" Recipient="${xmlEscape(v.acsUrl)}" InResponseTo="${xmlEscape(v.inResponseTo)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${v.now}" NotOnOrAfter="${v.later}"><saml:AudienceRestriction><saml:Audience>${xmlEscape(v.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${v.now}" SessionIndex="${v.assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attr('email', [v.user.email])}${attr('displayName', [v.user.name])}${attr(v.groupsAttribute, v.user.groups)}</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`
  );
}

function postPage(acsUrl: string, samlResponse: string, relayState: string | undefined): string {
  const relay = relayState ? `<input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rolegate demo IdP — signing in</title></head>
<body><form method="post" action="${escapeHtml(acsUrl)}"><input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">${relay}
<noscript><button type="submit">Continue</button></noscript></form><script>${AUTO_POST}</script></body></html>
`;
}

/**
 * Starts a local SAML 2.0 IdP (samlify, with the wasm xmllint schema
 * validator) for one service provider: SP-initiated sign-in over the
 * HTTP-Redirect binding, the same login form and demo users as the OIDC dev
 * IdP, and a signed assertion (NameID = email, `email`, `displayName` and a
 * multi-valued groups attribute) posted back to the ACS. The signing
 * certificate is generated at start. Throws when the port cannot be bound.
 */
export async function startDevSamlIdp(opts: DevSamlIdpOptions): Promise<DevSamlIdp> {
  if (!validatorSet) {
    samlify.setSchemaValidator(validator);
    validatorSet = true;
  }
  const host = opts.host ?? '127.0.0.1';
  const users = opts.users ?? demoUsersWithRandomPasswords();
  const groupsAttribute = opts.groupsAttribute ?? 'groups';
  const pending = new Map<string, { requestId: string; relayState: string | undefined; expires: number }>();

  let handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
  });
  // `once` rejects if 'error' (a taken port) comes first.
  await once(server.listen(opts.port ?? 0, host), 'listening');
  const { port } = server.address() as AddressInfo;
  const urlHost = opts.urlHost ?? host;
  const base = `http://${urlHost.includes(':') ? `[${urlHost}]` : urlHost}:${port}`;
  const entityId = `${base}/saml/metadata`;
  const ssoUrl = `${base}/saml/sso`;
  const sloUrl = `${base}/saml/slo`;
  const { privateKeyPem, certificatePem } = generateSigningMaterial('Rolegate demo SAML IdP');

  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey: privateKeyPem,
    signingCert: certificatePem,
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: ssoUrl }],
    // The demo IdP keeps no session, so logging out of it is always done; saying
    // so in the metadata also keeps samlify from warning at every start.
    singleLogoutService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: sloUrl }],
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  const sp = samlify.ServiceProvider({
    entityID: opts.sp.entityId,
    assertionConsumerService: [{ Binding: samlify.Constants.namespace.binding.post, Location: opts.sp.acsUrl }],
    wantAssertionsSigned: true,
  });

  const send = (res: ServerResponse, status: number, html: string) => {
    res.writeHead(status, PAGE_HEADERS);
    res.end(html);
  };

  handle = async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname === '/saml/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.getMetadata());
      return;
    }
    if (req.method === 'GET' && url.pathname === '/saml/sso') {
      let requestId: string;
      try {
        const query = Object.fromEntries(url.searchParams);
        const { extract } = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: '' } as never);
        requestId = String((extract as { request?: { id?: string } }).request?.id ?? '');
        const issuer = String((extract as { issuer?: string }).issuer ?? '');
        if (!requestId || issuer !== opts.sp.entityId) throw new Error('unknown service provider');
      } catch {
        return send(res, 400, renderErrorPage('This sign-in request is invalid. Start again from the application.'));
      }
      const now = Date.now();
      for (const [k, v] of pending) if (v.expires < now) pending.delete(k);
      const uid = randomBytes(16).toString('base64url');
      pending.set(uid, { requestId, relayState: url.searchParams.get('RelayState') ?? undefined, expires: now + PENDING_TTL_MS });
      return send(res, 200, renderLoginPage({ action: `/saml/login/${uid}`, clientId: opts.sp.entityId }));
    }
    if (req.method === 'GET' && url.pathname === '/saml/slo') {
      return send(res, 200, renderErrorPage('You are signed out of the demo IdP: it keeps no session, so every sign-in asks for the password.'));
    }
    const login = /^\/saml\/login\/([A-Za-z0-9_-]{1,64})$/.exec(url.pathname);
    if (req.method === 'POST' && login) {
      const uid = login[1] as string;
      const p = pending.get(uid);
      if (!p || p.expires < Date.now()) return send(res, 400, renderErrorPage('This sign-in attempt has expired. Start again from the application.'));
      const form = await readForm(req);
      if (!form) return send(res, 413, renderErrorPage('The form was too large.'));
      const username = form.get('username') ?? '';
      const user = authenticate(users, username, form.get('password') ?? '');
      if (!user) {
        return send(res, 401, renderLoginPage({ action: `/saml/login/${uid}`, clientId: opts.sp.entityId, username, error: 'Wrong username or password.' }));
      }
      pending.delete(uid);
      const now = new Date();
      const result = await idp.createLoginResponse(
        sp,
        { extract: { request: { id: p.requestId } } } as never,
        'post',
        { email: user.email },
        {
          customTagReplacement: () => {
            const id = `_${randomBytes(20).toString('hex')}`;
            const context = responseXml({
              id,
              assertionId: `_${randomBytes(20).toString('hex')}`,
              now: now.toISOString(),
              later: new Date(now.getTime() + 5 * 60_000).toISOString(),
              issuer: entityId,
              acsUrl: opts.sp.acsUrl,
              audience: opts.sp.entityId,
              inResponseTo: p.requestId,
              user,
              groupsAttribute,
            });
            return { id, context };
          },
        },
      );
      return send(res, 200, postPage(opts.sp.acsUrl, (result as { context: string }).context, p.relayState));
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  return {
    entityId,
    ssoUrl,
    metadataUrl: entityId,
    certificatePem,
    users,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
