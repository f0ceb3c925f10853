import { CookieJar } from './http-signin.js';

/** The form the IdP would auto-post to the service provider's ACS. */
export interface SamlPost {
  acsUrl: string;
  samlResponse: string;
  relayState?: string;
}

const FORM_ACTION = /<form\b[^>]*\baction="([^"]*)"/i;
const HIDDEN = (name: string) => new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`, 'i');

function unescapeHtml(value: string): string {
  return value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/**
 * Signs in at the dev SAML IdP by plain HTTP, starting from the IdP URL the
 * service provider redirected to; returns the SAMLResponse form the browser
 * would post to the ACS (the caller posts it). Throws when the IdP rejects
 * the request or the password.
 */
export async function signInSamlByHttp(ssoRedirectUrl: string, username: string, password: string): Promise<SamlPost> {
  const jar = new CookieJar();
  const first = await fetch(ssoRedirectUrl, { redirect: 'manual' });
  jar.store(first.headers.getSetCookie());
  const page = await first.text();
  const action = first.status === 200 ? FORM_ACTION.exec(page)?.[1] : undefined;
  if (!action) throw new Error(`signInSamlByHttp: the IdP answered HTTP ${first.status} without a login form`);
  const submit = await fetch(new URL(unescapeHtml(action), ssoRedirectUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(jar.header() ? { cookie: jar.header()! } : {}) },
    body: new URLSearchParams({ username, password }).toString(),
    redirect: 'manual',
  });
  const html = await submit.text();
  if (submit.status === 401) throw new Error(`signInSamlByHttp: the IdP rejected the sign-in of "${username}"`);
  const acs = FORM_ACTION.exec(html)?.[1];
  const samlResponse = HIDDEN('SAMLResponse').exec(html)?.[1];
  if (submit.status !== 200 || !acs || !samlResponse) throw new Error(`signInSamlByHttp: unexpected HTTP ${submit.status} after the login form`);
  const relayState = HIDDEN('RelayState').exec(html)?.[1];
  return { acsUrl: unescapeHtml(acs), samlResponse: unescapeHtml(samlResponse), ...(relayState ? { relayState: unescapeHtml(relayState) } : {}) };
}
