import { z } from 'zod';
import { idpKind } from './me.js';

export const grantKind = z.enum(['console', 'cli']);
export type GrantKind = z.infer<typeof grantKind>;

/** `abandoned`: left pending past the outbound timeouts and closed by the reconciler (AWS may have issued credentials; none were delivered). */
export const grantStatus = z.enum(['pending', 'issued', 'failed', 'denied', 'revoked', 'abandoned']);
export type GrantStatus = z.infer<typeof grantStatus>;

/**
 * Body of `POST /api/grants`. Strict: unknown fields (a client-supplied
 * `roleArn`, say) are rejected, because role ARNs come only from mappings.
 */
export const createGrantRequest = z.strictObject({
  entitlementId: z.string().min(1).max(64),
  kind: grantKind,
  // Range checks against the mapping happen in the grant service; this bound
  // only keeps absurd numbers out of the database.
  durationSeconds: z.number().int().min(0).max(1_000_000).optional(),
  reason: z
    .string()
    .max(1000)
    .refine((v) => !v.includes('\u0000'), 'reason must not contain NUL characters')
    .optional(),
  destination: z.string().max(2048).optional(),
});
export type CreateGrantRequest = z.infer<typeof createGrantRequest>;

export const grant = z.object({
  id: z.string(),
  createdAt: z.string(),
  user: z.object({ id: z.string(), email: z.string(), subject: z.string(), idp: idpKind }),
  groups: z.array(z.string()),
  mappingId: z.string().nullable(),
  accountId: z.string().nullable(),
  roleArn: z.string().nullable(),
  roleSessionName: z.string().nullable(),
  sourceIdentity: z.string().nullable(),
  kind: grantKind,
  durationSeconds: z.number().int().nullable(),
  expiresAt: z.string().nullable(),
  reason: z.string().nullable(),
  status: grantStatus,
  stsRequestId: z.string().nullable(),
  accessKeyId: z.string().nullable(),
  clientIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  error: z.string().nullable(),
  /** The access request whose window this grant was issued in (approval mappings). */
  requestId: z.string().nullable().optional(),
});
export type Grant = z.infer<typeof grant>;

export const awsCredentials = z.object({
  accessKeyId: z.string(),
  secretAccessKey: z.string(),
  sessionToken: z.string(),
  expiration: z.string(),
});
export type AwsCredentials = z.infer<typeof awsCredentials>;

export const createGrantResponse = z.object({
  grant,
  consoleUrl: z.string().optional(),
  credentials: awsCredentials.optional(),
});
export type CreateGrantResponse = z.infer<typeof createGrantResponse>;

export const grantListResponse = z.object({ items: z.array(grant), nextCursor: z.string().nullable() });
export type GrantListResponse = z.infer<typeof grantListResponse>;

/**
 * Query of `GET /console/:accountId/:roleName`. No `reason`: a link on another
 * site must not be able to write a justification into the audit trail under
 * the victim's name, so roles that require a reason are opened from the portal.
 */
export const consoleLinkQuery = z.object({
  destination: z.string().max(2048).optional(),
  duration: z
    .string()
    .regex(/^\d{1,6}$/, 'duration must be whole seconds')
    .transform(Number)
    .optional(),
});
