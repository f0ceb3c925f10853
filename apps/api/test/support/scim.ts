// A SCIM client for the tests: what an IdP's provisioning agent sends.
import { randomBytes } from 'node:crypto';
import type { TestBrowser } from './http-client.js';

export const SCIM_TOKEN_SECRET = randomBytes(32).toString('base64url');
/** Stack env that turns SCIM on. */
export const SCIM_ENV = { SCIM_ENABLED: '1', SCIM_TOKEN_SECRET };

export interface ScimResponse {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/** Requests to `${baseUrl}/scim/v2` with a bearer token (or none). */
export function scimClient(baseUrl: string, token: string | null) {
  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> {
    const h: Record<string, string> = { accept: 'application/scim+json', ...headers };
    if (token !== null) h.authorization = `Bearer ${token}`;
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/scim+json';
    const res = await fetch(`${baseUrl}/scim/v2${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    put: (path: string, body: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    patch: (path: string, body: unknown, headers?: Record<string, string>) => call('PATCH', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
  };
}
export type ScimClient = ReturnType<typeof scimClient>;

/** Makes a SCIM token through the admin API as `admin` (a signed-in admin) and returns its secret. */
export async function createScimToken(admin: TestBrowser, label: string): Promise<{ id: string; secret: string }> {
  const res = await admin.post('/api/admin/scim/tokens', { label });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${res.text}`);
  const body = res.json() as { token: { id: string }; secret: string };
  return { id: body.token.id, secret: body.secret };
}

/** The PatchOp envelope. */
export const patchOp = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

/** A user body as Okta sends it on create. */
export function oktaUser(userName: string, extra: Record<string, unknown> = {}) {
  const [given, family] = ['Test', userName.split('@')[0] ?? 'User'];
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${given} ${family}`,
    locale: 'en-US',
    externalId: `00u${randomBytes(6).toString('hex')}`,
    groups: [],
    password: 'never-stored-1!',
    active: true,
    ...extra,
  };
}

/** A user body as Microsoft Entra ID sends it on create. */
export function entraUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Test User', familyName: 'User', givenName: 'Test' },
    roles: [],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engineering' },
    ...extra,
  };
}
