import { signInSamlByHttp, startDevSamlIdp, type DemoUser, type DevSamlIdp } from '@rolegate/dev-idp';
import { createSamlTestIdp, type SamlTestIdp } from './saml-idp.js';
import type { TestBrowser } from './http-client.js';

/** Which SAML IdP a stack talks to: the mutable test IdP (attacks) or the dev IdP over HTTP (the real flow). */
export type StackSamlIdp = 'test-idp' | 'dev-idp';

/** Starts the chosen SAML IdP for an app at `baseUrl` and returns the SAML_* environment for it. */
export async function startStackSaml(kind: StackSamlIdp, baseUrl: string, users: DemoUser[]) {
  const acsUrl = `${baseUrl}/auth/saml/acs`;
  const spEntityId = `${baseUrl}/auth/saml/metadata`;
  let testIdp: SamlTestIdp | null = null;
  let devIdp: DevSamlIdp | null = null;
  let env: Record<string, string>;
  if (kind === 'test-idp') {
    testIdp = createSamlTestIdp({ acsUrl, spEntityId });
    env = { SAML_IDP_SSO_URL: testIdp.ssoUrl, SAML_IDP_ISSUER: testIdp.issuer, SAML_IDP_CERT: testIdp.certificatePem };
  } else {
    devIdp = await startDevSamlIdp({ sp: { entityId: spEntityId, acsUrl }, users });
    env = { SAML_IDP_SSO_URL: devIdp.ssoUrl, SAML_IDP_ISSUER: devIdp.entityId, SAML_IDP_CERT: devIdp.certificatePem };
  }
  return {
    env,
    testIdp,
    devIdp,
    async close() {
      await devIdp?.close();
    },
  };
}

/** Posts a SAMLResponse form to the ACS the way the IdP's page makes the browser do it. */
export function postAcs(b: TestBrowser, samlResponse: string, extra: Record<string, string> = {}) {
  return b.request('POST', '/auth/saml/acs', {
    body: new URLSearchParams({ SAMLResponse: samlResponse, ...extra }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    csrf: false,
  });
}

/** Signs `username` in through the dev SAML IdP by HTTP; resolves with the ACS answer. */
export async function samlSignInByHttp(b: TestBrowser, username: string, password: string, returnTo = '/') {
  const start = await b.get(`/auth/login?provider=saml&returnTo=${encodeURIComponent(returnTo)}`);
  if (start.status !== 302 || !start.location) throw new Error(`SAML login did not redirect: ${start.status} ${start.text}`);
  const post = await signInSamlByHttp(start.location, username, password);
  return postAcs(b, post.samlResponse, post.relayState ? { RelayState: post.relayState } : {});
}
