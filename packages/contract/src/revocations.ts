import { z } from 'zod';

/*
 * Revocations that reach AWS (docs/revocation.md): a grant's sessions, or
 * every session of a person issued before a cut-off, denied by the account's
 * revocation policy. A revocation is written ahead and applied by a worker:
 * requested → applied (a policy version holds it) → pruned (its sessions have
 * ended and it left the policy).
 */

export const revocationStatus = z.enum(['requested', 'applied', 'pruned']);
export type RevocationStatus = z.infer<typeof revocationStatus>;

/** One revoke action across the accounts it reaches. */
export const revocation = z.object({
  id: z.string(),
  kind: z.enum(['grant', 'user']),
  /** The grant id (kind grant; every grant id, comma-separated, when one action revoked several, as ending a window does) or the person's email (kind user). */
  target: z.string(),
  status: revocationStatus,
  accountIds: z.array(z.string()),
  createdAt: z.string(),
  appliedAt: z.string().nullable(),
  /** The last IAM error while still requested (retried with backoff), else null. */
  error: z.string().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  requestedBy: z.string(),
  reason: z.string(),
  /** Person revocations: sessions issued before this are denied. */
  revokedBefore: z.string().nullable(),
  /** The policy versions that hold it (one per account). */
  policyVersions: z.array(z.string()),
  /** True when the policy was full and the role-wide fallback (every session issued before it) was written instead. */
  fallback: z.boolean(),
});
export type Revocation = z.infer<typeof revocation>;

/** `POST /api/grants/:id/revoke` body (optional). */
export const revokeGrantBody = z.strictObject({
  reason: z.string().trim().max(500, 'reason must be at most 500 characters').optional(),
});

/** `POST /api/grants/:id/revoke` → 202. */
export const revokeGrantResponse = z.object({ revocation });

/** `GET /api/admin/revocations?status=` → newest first (at most 200). */
export const revocationListQuery = z.strictObject({ status: revocationStatus.optional() });
export const revocationList = z.object({ items: z.array(revocation) });
export type RevocationList = z.infer<typeof revocationList>;

/**
 * `GET /api/grants/:id/status` → whether the grant's credentials may still be
 * used (the CLI asks before handing out cached credentials). `valid` is false
 * once the grant is revoked (its own revocation or its person's cut-off, from
 * the moment it is requested) or its session has ended.
 */
export const grantStatusResponse = z.object({
  id: z.string(),
  valid: z.boolean(),
  status: z.string(),
  expiresAt: z.string().nullable(),
  revoked: z.object({ kind: z.enum(['grant', 'user']), status: revocationStatus, at: z.string() }).nullable(),
});
export type GrantStatusResponse = z.infer<typeof grantStatusResponse>;
