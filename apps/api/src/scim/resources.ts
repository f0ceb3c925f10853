import type { ScimGroupRow, ScimGroupWrite, ScimUserRow, ScimUserWrite } from '@rolegate/db';
import { ScimError } from './errors.js';
import { EXTENSION_URNS } from './patch.js';

/* User and Group resources: what comes in (validated into a store write) and what goes out. */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = EXTENSION_URNS[0]!;
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Attributes the server owns: never stored from a request. */
const SERVER_OWNED = new Set(['id', 'meta', 'schemas', 'groups', 'password']);

function get(obj: Json, name: string): unknown {
  const k = Object.keys(obj).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : obj[k];
}

/** "True"/"False" in any case → booleans (Entra sends strings), in `active` and every `primary`. */
function coerceBooleans(v: unknown, key = ''): unknown {
  if (typeof v === 'string' && (key === 'active' || key === 'primary') && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  if (Array.isArray(v)) return v.map((x) => coerceBooleans(x, key));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, coerceBooleans(x, k.toLowerCase())]));
  return v;
}

const optionalString = (v: unknown, name: string): string | null => {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw new ScimError(400, 'invalidValue', `${name} must be a string`);
  if (v.length > 1024) throw new ScimError(400, 'invalidValue', `${name} is too long`);
  return v;
};

/**
 * A user resource (POST, PUT, or the result of a PATCH) as a store write.
 * Server-owned attributes (id, meta, groups, password) are dropped.
 * @throws ScimError 400 invalidValue
 */
export function userWriteOf(input: unknown): ScimUserWrite {
  if (!isObject(input)) throw new ScimError(400, 'invalidSyntax', 'The body must be a User resource');
  const data = coerceBooleans(Object.fromEntries(Object.entries(input).filter(([k]) => !SERVER_OWNED.has(k.toLowerCase())))) as Json;
  const userName = get(data, 'userName');
  if (typeof userName !== 'string' || userName.trim() === '') throw new ScimError(400, 'invalidValue', 'userName is required');
  if (userName.length > 256) throw new ScimError(400, 'invalidValue', 'userName is too long');
  const active = get(data, 'active');
  if (active !== undefined && active !== null && typeof active !== 'boolean') throw new ScimError(400, 'invalidValue', 'active must be a boolean');
  const emails = get(data, 'emails');
  if (
    emails !== undefined &&
    emails !== null &&
    (!Array.isArray(emails) || !emails.every((e) => isObject(e) && (get(e, 'value') === undefined || typeof get(e, 'value') === 'string')))
  ) {
    throw new ScimError(400, 'invalidValue', 'emails must be a list of { value, type, primary }');
  }
  const list = (Array.isArray(emails) ? emails : []) as Json[];
  const email = (list.find((e) => get(e, 'primary') === true) ?? list[0]) as Json | undefined;
  let displayName = optionalString(get(data, 'displayName'), 'displayName');
  const name = get(data, 'name');
  if (displayName === null && isObject(name)) {
    displayName =
      optionalString(get(name, 'formatted'), 'name.formatted') ??
      ([get(name, 'givenName'), get(name, 'familyName')].filter((x) => typeof x === 'string' && x).join(' ') || null);
  }
  return {
    userName,
    externalId: optionalString(get(data, 'externalId'), 'externalId'),
    displayName,
    active: active === undefined || active === null ? true : active,
    email: email ? optionalString(get(email, 'value'), 'emails.value') : null,
    data,
  };
}

/** A group resource as a store write (members by SCIM user id). @throws ScimError 400 invalidValue */
export function groupWriteOf(input: unknown): ScimGroupWrite {
  if (!isObject(input)) throw new ScimError(400, 'invalidSyntax', 'The body must be a Group resource');
  const displayName = get(input, 'displayName');
  if (typeof displayName !== 'string' || displayName.trim() === '') throw new ScimError(400, 'invalidValue', 'displayName is required');
  if (displayName.length > 256) throw new ScimError(400, 'invalidValue', 'displayName is too long');
  const members = get(input, 'members') ?? [];
  if (!Array.isArray(members) || !members.every((m) => isObject(m) && typeof get(m, 'value') === 'string')) {
    throw new ScimError(400, 'invalidValue', 'members must be a list of { value: <user id> }');
  }
  return {
    displayName,
    externalId: optionalString(get(input, 'externalId'), 'externalId'),
    members: (members as Json[]).map((m) => (get(m, 'value') as string).toLowerCase()),
  };
}

const meta = (type: 'User' | 'Group', row: { id: string; createdAt: Date; updatedAt: Date; version: number }, base: string) => ({
  resourceType: type,
  created: row.createdAt.toISOString(),
  lastModified: row.updatedAt.toISOString(),
  location: `${base}/${type}s/${row.id}`,
  version: etagOf(row.version),
});

/** The weak ETag of a resource version (meta.version and the ETag header). */
export const etagOf = (version: number) => `W/"${version}"`;

/** The version an If-Match header names, undefined when absent or `*`. @throws ScimError 412 when it names no version of ours */
export function versionOf(ifMatch: string | undefined): number | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(ifMatch);
  if (!m) throw new ScimError(412, null, 'If-Match does not name a version of this resource');
  return Number(m[1]);
}

/** The user as SCIM returns it. */
export function userResource(row: ScimUserRow, base: string, excluded: Set<string> = new Set()): Json {
  const data = { ...row.data };
  const hasEnterprise = Object.keys(data).some((k) => k.toLowerCase() === ENTERPRISE_SCHEMA.toLowerCase());
  return {
    schemas: hasEnterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    id: row.id,
    ...data,
    userName: row.userName,
    active: row.active,
    ...(excluded.has('groups')
      ? {}
      : { groups: row.groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}`, type: 'direct' })) }),
    meta: meta('User', row, base),
  };
}

/** The group as SCIM returns it (members left out when the store did not load them). */
export function groupResource(row: ScimGroupRow, base: string): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    displayName: row.displayName,
    ...(row.externalId !== null ? { externalId: row.externalId } : {}),
    ...(row.members
      ? { members: row.members.map((m) => ({ value: m.id, display: m.displayName ?? m.userName, $ref: `${base}/Users/${m.id}`, type: 'User' })) }
      : {}),
    meta: meta('Group', row, base),
  };
}

/** A group as the PATCH engine sees it (members as { value }). */
export function groupPatchable(row: ScimGroupRow): Json {
  return {
    displayName: row.displayName,
    ...(row.externalId !== null ? { externalId: row.externalId } : {}),
    members: (row.members ?? []).map((m) => ({ value: m.id, display: m.displayName ?? m.userName })),
  };
}

/** A user as the PATCH engine sees it: what was pushed. */
export function userPatchable(row: ScimUserRow): Json {
  return { ...row.data, userName: row.userName, active: row.active };
}

/** `excludedAttributes` / `attributes` as a set of lower-case names (only top-level names matter to us). */
export function excludedOf(q: { excludedAttributes?: unknown }): Set<string> {
  const raw = typeof q.excludedAttributes === 'string' ? q.excludedAttributes : '';
  return new Set(
    raw
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** RFC 7643 5: what this service provider supports. */
export function serviceProviderConfig(base: string, maxResults: number): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'A long random token made on the admin screen, sent as Authorization: Bearer',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

/** RFC 7643 6: the resource types. */
export function resourceTypes(base: string): Json[] {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'People',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Groups; their displayName is what role mappings name',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const attr = (name: string, type: string, extra: Json = {}): Json => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const multi = (name: string, subs: Json[]): Json => attr(name, 'complex', { multiValued: true, subAttributes: subs });
const valueTypePrimary = [attr('value', 'string'), attr('display', 'string'), attr('type', 'string'), attr('primary', 'boolean')];

/** RFC 7643 7: the schemas, for the attributes Rolegate stores and uses. */
export function schemas(base: string): Json[] {
  const schema = (id: string, name: string, attributes: Json[]) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    id,
    name,
    description: name,
    attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  });
  return [
    schema(
      USER_SCHEMA,
      'User',
      [
        attr('userName', 'string', { required: true, uniqueness: 'server' }),
        attr('name', 'complex', {
          subAttributes: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => attr(n, 'string')),
        }),
        attr('displayName', 'string'),
        attr('nickName', 'string'),
        attr('title', 'string'),
        attr('userType', 'string'),
        attr('preferredLanguage', 'string'),
        attr('locale', 'string'),
        attr('timezone', 'string'),
        attr('active', 'boolean'),
        multi('emails', valueTypePrimary),
        multi('phoneNumbers', valueTypePrimary),
        multi('groups', [
          attr('value', 'string', { mutability: 'readOnly' }),
          attr('$ref', 'reference', { mutability: 'readOnly' }),
          attr('display', 'string', { mutability: 'readOnly' }),
        ]),
        attr('externalId', 'string', { caseExact: true }),
      ].map((a) => (a.name === 'groups' ? { ...a, mutability: 'readOnly' } : a)),
    ),
    schema(GROUP_SCHEMA, 'Group', [
      attr('displayName', 'string', { required: true, uniqueness: 'server' }),
      multi('members', [
        attr('value', 'string', { mutability: 'immutable' }),
        attr('$ref', 'reference', { mutability: 'immutable' }),
        attr('display', 'string'),
      ]),
      attr('externalId', 'string', { caseExact: true }),
    ]),
    schema(ENTERPRISE_SCHEMA, 'EnterpriseUser', [
      attr('employeeNumber', 'string'),
      attr('costCenter', 'string'),
      attr('organization', 'string'),
      attr('division', 'string'),
      attr('department', 'string'),
      attr('manager', 'complex', {
        subAttributes: [attr('value', 'string'), attr('$ref', 'reference'), attr('displayName', 'string', { mutability: 'readOnly' })],
      }),
    ]),
  ];
}

/** A ListResponse page. */
export function listResponse(resources: Json[], total: number, startIndex: number): Json {
  return { schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}
