import { CookieJar } from '@rolegate/dev-idp';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = any>(): T;
  location: string | null;
}

/** A cookie-keeping client for one simulated browser talking to the app. */
export class TestBrowser {
  readonly jar = new CookieJar();
  csrfToken: string | null = null;

  constructor(readonly baseUrl: string) {}

  async request(
    method: string,
    path: string,
    opts: { json?: unknown; body?: string; headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<HttpResponse> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    const cookie = this.jar.header();
    if (cookie && url.startsWith(this.baseUrl)) headers.cookie = cookie;
    let body: string | undefined = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    if (opts.csrf !== false && this.csrfToken && method !== 'GET') headers['x-csrf-token'] ??= this.csrfToken;
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    if (url.startsWith(this.baseUrl)) this.jar.store(res.headers.getSetCookie());
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: () => JSON.parse(text),
      location: res.headers.get('location'),
    };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, headers ? { headers } : {});
  }

  post(path: string, json?: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    return this.request('POST', path, { ...(json === undefined ? {} : { json }), ...opts });
  }

  /** Loads /api/me and remembers the CSRF token. */
  async me() {
    const res = await this.get('/api/me');
    if (res.status === 200) this.csrfToken = res.json().csrfToken;
    return res;
  }
}
