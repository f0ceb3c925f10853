import type {
  CreateGrantRequest,
  CreateGrantResponse,
  EntitlementsResponse,
  GrantListResponse,
  MeResponse,
} from '@rolegate/contract';

/** `GET /auth/providers` (public). */
export interface Provider {
  id: 'oidc' | 'saml';
  label: string;
}
export interface ProvidersResponse {
  providers: Provider[];
  demo: boolean;
}

/**
 * Any failed call. `code` is the server's stable error code when it sent one
 * (`{ error: { code, message } }`), or `NETWORK` / `BAD_RESPONSE` when it did not.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isUnauthenticated = (err: unknown): boolean =>
  err instanceof ApiError && err.status === 401;

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Please try again.';
}

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  csrfToken?: string;
}

async function request<T>(path: string, { method = 'GET', body, csrfToken }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Could not reach Rolegate. Check your connection and try again.');
  }

  const payload: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw toApiError(res.status, payload);
  if (payload === undefined) {
    throw new ApiError(res.status, 'BAD_RESPONSE', 'Rolegate sent an unexpected response. Please try again.');
  }
  return payload as T;
}

function toApiError(status: number, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const message =
    typeof error?.message === 'string' && error.message.length > 0
      ? error.message
      : `Request failed (HTTP ${status}). Please try again.`;
  return new ApiError(status, code, message);
}

export const api = {
  me: () => request<MeResponse>('/api/me'),
  providers: () => request<ProvidersResponse>('/auth/providers'),
  entitlements: () => request<EntitlementsResponse>('/api/entitlements'),
  grants: (cursor?: string) =>
    request<GrantListResponse>(cursor ? `/api/grants?cursor=${encodeURIComponent(cursor)}` : '/api/grants'),
  createGrant: (body: CreateGrantRequest, csrfToken: string) =>
    request<CreateGrantResponse>('/api/grants', { method: 'POST', body, csrfToken }),
  /** Destroys the session server-side. Any 2xx/3xx counts as signed out. */
  logout: async (csrfToken: string): Promise<void> => {
    let res: Response;
    try {
      res = await fetch('/auth/logout', {
        method: 'POST',
        headers: { 'x-csrf-token': csrfToken, accept: 'application/json' },
        credentials: 'same-origin',
        redirect: 'manual',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Could not reach Rolegate to sign out. Please try again.');
    }
    if (res.type === 'opaqueredirect' || res.ok) return;
    throw toApiError(res.status, await res.json().catch(() => undefined));
  },
};

/** Full-page navigation to the IdP; the server sends the browser back to `returnTo`. */
export function loginUrl(provider: Provider['id'], returnTo: string): string {
  const params = new URLSearchParams({ provider, returnTo });
  return `/auth/login?${params.toString()}`;
}
