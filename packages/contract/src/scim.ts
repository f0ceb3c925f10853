import { z } from 'zod';

/*
 * Admin API of SCIM provisioning (/api/admin/scim/*): status, people and
 * groups as the IdP pushed them, tokens; and the SCIM change log, also
 * readable by auditors (/api/audit/scim/changes).
 */

/** `GET /api/admin/scim/status`. */
export const scimStatus = z.object({
  enabled: z.boolean(),
  /** How sign-in groups combine with SCIM's: `ignore` (SCIM only) or `intersect`. */
  signInGroups: z.enum(['ignore', 'intersect']).nullable(),
  groupName: z.enum(['displayName', 'externalId']).nullable(),
  /** False until the IdP's first change: until then the sign-in's groups count. */
  provisioned: z.boolean(),
  users: z.number().int(),
  activeUsers: z.number().int(),
  groups: z.number().int(),
  memberships: z.number().int(),
  activeTokens: z.number().int(),
  lastChangeAt: z.string().nullable(),
  recentErrors: z.array(
    z.object({ at: z.string(), method: z.string(), path: z.string(), status: z.number().int(), scimType: z.string().nullable(), detail: z.string() }),
  ),
});
export type ScimStatus = z.infer<typeof scimStatus>;

export const scimUserItem = z.object({
  id: z.string(),
  userName: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  externalId: z.string().nullable(),
  active: z.boolean(),
  groups: z.array(z.string()),
  updatedAt: z.string(),
});
export type ScimUserItem = z.infer<typeof scimUserItem>;
/** `GET /api/admin/scim/users`. */
export const scimUserList = z.object({ items: z.array(scimUserItem), total: z.number().int() });
export type ScimUserList = z.infer<typeof scimUserList>;

export const scimGroupItem = z.object({
  id: z.string(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  memberCount: z.number().int(),
  /** userNames of the members. */
  members: z.array(z.string()),
  updatedAt: z.string(),
});
export type ScimGroupItem = z.infer<typeof scimGroupItem>;
/** `GET /api/admin/scim/groups`. */
export const scimGroupList = z.object({ items: z.array(scimGroupItem), total: z.number().int() });
export type ScimGroupList = z.infer<typeof scimGroupList>;

export const scimToken = z.object({
  id: z.string(),
  label: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ScimToken = z.infer<typeof scimToken>;
/** `GET /api/admin/scim/tokens`, newest first (revoked ones included). */
export const scimTokenList = z.object({ items: z.array(scimToken) });
export type ScimTokenList = z.infer<typeof scimTokenList>;

/** Body of `POST /api/admin/scim/tokens`. */
export const createScimTokenBody = z.strictObject({
  label: z
    .string({ error: 'label is required' })
    .trim()
    .min(1, 'label is required')
    .max(100, 'label must be at most 100 characters')
    .regex(/^[\x20-\x7e]+$/, 'label must be printable ASCII'),
});
/** `POST /api/admin/scim/tokens` → 201: the token record and its secret, shown this once. */
export const createdScimToken = z.object({ token: scimToken, secret: z.string() });
export type CreatedScimToken = z.infer<typeof createdScimToken>;

export const scimChange = z.object({
  id: z.string(),
  createdAt: z.string(),
  /** `scim:<token label>` for the IdP; an admin's email for token management. */
  actor: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type ScimChange = z.infer<typeof scimChange>;
/** `GET /api/admin/scim/changes`, `GET /api/audit/scim/changes`: newest first. */
export const scimChangeList = z.object({ items: z.array(scimChange) });
export type ScimChangeList = z.infer<typeof scimChangeList>;
/** `POST /api/admin/scim/tokens/:id/revoke` → 200. */
export const revokedScimToken = z.object({ revoked: z.literal(true) });

/*
 * The SCIM 2.0 protocol itself (/scim/v2, RFC 7643/7644), as the route table
 * and /openapi.json describe it. Bodies are application/scim+json; the
 * handlers read them with their own SCIM rules (scim/resources.ts,
 * scim/patch.ts), so these schemas name the envelope, not every attribute.
 */

/** A User or Group resource (`schemas` names which), as sent and as answered. */
export const scimResource = z.looseObject({ schemas: z.array(z.string()) });
/** Body of PATCH: `urn:ietf:params:scim:api:messages:2.0:PatchOp`. */
export const scimPatchBody = z.looseObject({
  schemas: z.array(z.string()),
  Operations: z.array(z.looseObject({ op: z.string(), path: z.string().optional(), value: z.unknown().optional() })),
});
/** A list answer (`urn:ietf:params:scim:api:messages:2.0:ListResponse`). */
export const scimListResponse = z.looseObject({
  schemas: z.array(z.string()),
  totalResults: z.number().int(),
  startIndex: z.number().int(),
  itemsPerPage: z.number().int(),
  Resources: z.array(z.looseObject({})),
});
/** SCIM's own error body (RFC 7644 3.12), not Rolegate's `{ error: { code } }`. */
export const scimErrorBody = z.object({ schemas: z.array(z.string()), status: z.string(), scimType: z.string().optional(), detail: z.string() });
/** Query of the Users and Groups lists. */
export const scimListQuery = z.object({
  filter: z.string().optional().describe('`attribute eq "value"` (userName, externalId, id; displayName for groups)'),
  startIndex: z.string().optional(),
  count: z.string().optional(),
  excludedAttributes: z.string().optional(),
});
export const scimIdParams = z.object({ id: z.string() });
