import type {
  MappingCheck,
  MappingCheckList,
  AdminCliTokenList,
  AdminUserList,
  AuditFilterName,
  CutOffResponse,
  RevocationList,
  Revocation,
  AdminAccountList,
  AdminAccountResponse,
  AdminChangeList,
  AdminMappingList,
  AdminMappingResponse,
  AuditGrantDetail,
  AuditGrantList,
  CliTokenList,
  CreateGrantRequest,
  CreateGrantResponse,
  CreateMappingBody,
  EntitlementsResponse,
  GrantListResponse,
  ImportResult,
  MeResponse,
  PreferencesBody,
  PreferencesResponse,
  Provider,
  ProvidersResponse,
  TrustPolicyResponse,
  UpdateMappingBody,
  CreateRequestBody,
  RequestList,
  RequestResponse,
  OutboxList,
} from '@rolegate/contract';

export type { Provider, ProvidersResponse };

/**
 * Any failed call. `code` is the server's stable error code when it sent one
 * (`{ error: { code, message } }`), or `NETWORK` / `BAD_RESPONSE` when it did not.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Per-field problems of a 400 VALIDATION_FAILED: `path` names the body field. */
    readonly issues: readonly FieldIssue[] = [],
    /** The error's `details` as sent (e.g. `loginUrl` of STEP_UP_REQUIRED, `requestUrl` of APPROVAL_REQUIRED). */
    readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

export const isUnauthenticated = (err: unknown): boolean => err instanceof ApiError && err.status === 401;

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Please try again.';
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  csrfToken?: string;
}

export async function request<T>(path: string, { method = 'GET', body, csrfToken }: RequestOptions = {}): Promise<T> {
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

  if (res.status === 204) return undefined as T;
  const payload: unknown = await res.json().catch(() => undefined);
  if (!res.ok) throw toApiError(res.status, payload);
  if (payload === undefined) {
    throw new ApiError(res.status, 'BAD_RESPONSE', 'Rolegate sent an unexpected response. Please try again.');
  }
  return payload as T;
}

function toApiError(status: number, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const message = typeof error?.message === 'string' && error.message.length > 0 ? error.message : `Request failed (HTTP ${status}). Please try again.`;
  return new ApiError(status, code, message, issuesOf(error?.details), error?.details);
}

function issuesOf(details: unknown): FieldIssue[] {
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((i: unknown) => {
    const { path, message } = (i ?? {}) as { path?: unknown; message?: unknown };
    if (typeof message !== 'string') return [];
    const p = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
    return [{ path: p, message }];
  });
}

const id = (value: string) => encodeURIComponent(value);

/** Query string of the non-empty values, or "" (so URLs stay clean and cache keys stable). */
export function queryString(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Filters of the auditor's grant history, as query values (the server matches each exactly); the names are the contract's. */
export type AuditFilters = Partial<Record<AuditFilterName, string>>;

/** URL of the streamed export; a plain link downloads it with the session cookie (GET needs no CSRF token). */
export function auditExportUrl(format: 'csv' | 'ndjson', filters: AuditFilters): string {
  return `/api/audit/grants/export${queryString({ format, ...filters })}`;
}

/** URL of the mappings as YAML (same format as MAPPINGS_FILE). */
export const MAPPINGS_EXPORT_URL = '/api/admin/mappings/export';

/** Calls of the admin screens (each needs the admin role on the server). */
export const adminApi = {
  mappings: () => request<AdminMappingList>('/api/admin/mappings'),
  createMapping: (body: CreateMappingBody, csrfToken: string) => request<AdminMappingResponse>('/api/admin/mappings', { method: 'POST', body, csrfToken }),
  updateMapping: (mappingId: string, body: UpdateMappingBody, csrfToken: string) =>
    request<AdminMappingResponse>(`/api/admin/mappings/${id(mappingId)}`, { method: 'PUT', body, csrfToken }),
  deleteMapping: (mappingId: string, csrfToken: string) => request<void>(`/api/admin/mappings/${id(mappingId)}`, { method: 'DELETE', csrfToken }),
  accounts: () => request<AdminAccountList>('/api/admin/accounts'),
  upsertAccount: (accountId: string, body: { name: string; controlRoleArn?: string | null }, csrfToken: string) =>
    request<AdminAccountResponse>(`/api/admin/accounts/${id(accountId)}`, { method: 'PUT', body, csrfToken }),
  deleteAccount: (accountId: string, csrfToken: string) => request<void>(`/api/admin/accounts/${id(accountId)}`, { method: 'DELETE', csrfToken }),
  changes: (cursor?: string) => request<AdminChangeList>(`/api/admin/changes${queryString({ cursor })}`),
  importMappings: (yaml: string, dryRun: boolean, csrfToken: string) =>
    request<ImportResult>(`/api/admin/mappings/import${dryRun ? '?dryRun=1' : ''}`, { method: 'POST', body: { yaml }, csrfToken }),
  trustPolicy: (mappingId: string) => request<TrustPolicyResponse>(`/api/admin/mappings/${id(mappingId)}/trust-policy`),
  mappingChecks: () => request<MappingCheckList>('/api/admin/mappings/checks'),
  checkMapping: (mappingId: string, csrfToken: string) => request<MappingCheck>(`/api/admin/mappings/${id(mappingId)}/check`, { method: 'POST', csrfToken }),
  users: (q: string) => request<AdminUserList>(`/api/admin/users${queryString({ q })}`),
  userCliTokens: (userId: string) => request<AdminCliTokenList>(`/api/admin/users/${id(userId)}/cli-tokens`),
  cutOff: (userId: string, csrfToken: string) => request<CutOffResponse>(`/api/admin/users/${id(userId)}/cut-off`, { method: 'POST', csrfToken }),
  revokeCliToken: (tokenId: string, csrfToken: string) =>
    request<{ revoked: true }>(`/api/admin/cli-tokens/${id(tokenId)}/revoke`, { method: 'POST', csrfToken }),
  revocations: (status?: string) => request<RevocationList>(`/api/admin/revocations${queryString({ status })}`),
};

/** Access requests and approvals (docs/approvals.md). */
export const requestsApi = {
  list: (scope: 'mine' | 'approver', status?: string) => request<RequestList>(`/api/requests${queryString({ scope, status })}`),
  get: (requestId: string) => request<RequestResponse>(`/api/requests/${id(requestId)}`),
  create: (body: CreateRequestBody, csrfToken: string) => request<RequestResponse>('/api/requests', { method: 'POST', body, csrfToken }),
  decide: (requestId: string, decision: 'approve' | 'deny', comment: string, csrfToken: string) =>
    request<RequestResponse>(`/api/requests/${id(requestId)}/${decision}`, { method: 'POST', body: comment ? { comment } : {}, csrfToken }),
  act: (requestId: string, action: 'cancel' | 'end', csrfToken: string) =>
    request<RequestResponse>(`/api/requests/${id(requestId)}/${action}`, { method: 'POST', csrfToken }),
  extend: (requestId: string, body: { durationSeconds: number; reason: string }, csrfToken: string) =>
    request<RequestResponse>(`/api/requests/${id(requestId)}/extend`, { method: 'POST', body, csrfToken }),
  reviews: () => request<{ items: (RequestResponse['request'] & { overdue: boolean })[] }>('/api/admin/reviews'),
  outbox: () => request<OutboxList>('/api/admin/outbox'),
  closeReview: (requestId: string, note: string, csrfToken: string) =>
    request<RequestResponse>(`/api/admin/reviews/${id(requestId)}/close`, { method: 'POST', body: { note }, csrfToken }),
};

/** Calls of the auditor screens (each needs the auditor role on the server). */
export const auditApi = {
  grants: (filters: AuditFilters, cursor?: string) => request<AuditGrantList>(`/api/audit/grants${queryString({ ...filters, cursor })}`),
  grant: (grantId: string) => request<AuditGrantDetail>(`/api/audit/grants/${id(grantId)}`),
};

export const api = {
  me: () => request<MeResponse>('/api/me'),
  providers: () => request<ProvidersResponse>('/auth/providers'),
  entitlements: () => request<EntitlementsResponse>('/api/entitlements'),
  preferences: () => request<PreferencesResponse>('/api/me/preferences'),
  savePreferences: (body: PreferencesBody, csrfToken: string) => request<PreferencesResponse>('/api/me/preferences', { method: 'PUT', body, csrfToken }),
  grants: (cursor?: string) => request<GrantListResponse>(cursor ? `/api/grants?cursor=${encodeURIComponent(cursor)}` : '/api/grants'),
  createGrant: (body: CreateGrantRequest, csrfToken: string) => request<CreateGrantResponse>('/api/grants', { method: 'POST', body, csrfToken }),
  /** Revokes a grant's live AWS sessions (written ahead; the broker applies it within seconds). */
  revokeGrant: (grantId: string, reason: string, csrfToken: string) =>
    request<{ revocation: Revocation }>(`/api/grants/${id(grantId)}/revoke`, { method: 'POST', body: reason ? { reason } : {}, csrfToken }),
  /** The caller's working CLI tokens (never their secrets). */
  cliTokens: () => request<CliTokenList>('/api/cli/tokens'),
  revokeCliToken: (tokenId: string, csrfToken: string) => request<void>(`/api/cli/tokens/${id(tokenId)}`, { method: 'DELETE', csrfToken }),
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
