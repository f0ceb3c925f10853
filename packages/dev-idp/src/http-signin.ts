/** A minimal cookie jar for scripted sign-ins: keeps name=value pairs, ignores Path/Domain (one host only). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Records the cookies of one response's Set-Cookie headers; expired or emptied cookies are removed. */
  store(setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attributes.some(isExpiry)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The Cookie request header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function isExpiry(attribute: string): boolean {
  const [rawName = '', rawValue = ''] = attribute.split('=');
  const name = rawName.trim().toLowerCase();
  if (name === 'max-age') return Number(rawValue.trim()) <= 0;
  if (name === 'expires') return Date.parse(rawValue.trim()) <= Date.now();
  return false;
}

/** Options for `signInByHttp`. */
export interface SignInOptions {
  /** Cookie jar to use (and keep), e.g. to sign in again within one IdP session. */
  cookies?: CookieJar;
  /** Where the flow ends; defaults to the authorization URL's redirect_uri parameter. */
  redirectUri?: string;
  /** Upper bound on HTTP requests (default 20). */
  maxRequests?: number;
}

const FORM_ACTION = /<form\b[^>]*\baction="([^"]*)"/i;

/**
 * Signs in through the login form by plain HTTP, following the browser flow from an authorization URL;
 * returns the final redirect URL (the client's redirect_uri with code & state, or with an error).
 * Throws when the IdP rejects the username or password, or when the flow does not reach the redirect_uri.
 */
export async function signInByHttp(authorizationUrl: string, username: string, password: string, opts: SignInOptions = {}): Promise<string> {
  const jar = opts.cookies ?? new CookieJar();
  const redirectUri = opts.redirectUri ?? new URL(authorizationUrl).searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error('signInByHttp: the authorization URL has no redirect_uri; pass opts.redirectUri');
  const maxRequests = opts.maxRequests ?? 20;

  let url = authorizationUrl;
  let body: URLSearchParams | undefined;
  let submitted = false;
  for (let i = 0; i < maxRequests; i++) {
    const res = await request(jar, url, body);
    body = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      const next = new URL(location, url).href;
      // The client's own callback is not followed: the caller redeems the code.
      if (isUnder(next, redirectUri)) return next;
      url = next;
      continue;
    }
    const text = await res.text();
    if (res.status === 401 && submitted) {
      throw new Error(`signInByHttp: the IdP rejected the sign-in of "${username}" (wrong username or password)`);
    }
    const action = res.status === 200 && !submitted ? FORM_ACTION.exec(text)?.[1] : undefined;
    if (action === undefined) {
      throw new Error(`signInByHttp: unexpected HTTP ${res.status} from ${new URL(url).pathname}: ${summary(text)}`);
    }
    url = new URL(unescapeHtml(action), url).href;
    body = new URLSearchParams({ username, password });
    submitted = true;
  }
  throw new Error(`signInByHttp: no redirect to ${redirectUri} after ${maxRequests} requests`);
}

async function request(jar: CookieJar, url: string, form: URLSearchParams | undefined): Promise<Response> {
  const headers: Record<string, string> = {};
  const cookie = jar.header();
  if (cookie) headers['cookie'] = cookie;
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, {
    method: form ? 'POST' : 'GET',
    headers,
    redirect: 'manual',
    ...(form ? { body: form.toString() } : {}),
  });
  jar.store(res.headers.getSetCookie());
  return res;
}

// Same origin and path as the redirect_uri (query ignored): matches what the IdP redirects to after the flow.
function isUnder(candidate: string, redirectUri: string): boolean {
  const a = new URL(candidate);
  const b = new URL(redirectUri);
  return a.origin === b.origin && a.pathname === b.pathname;
}

function unescapeHtml(value: string): string {
  return value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function summary(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
