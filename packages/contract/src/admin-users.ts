import { z } from 'zod';
import { revocation } from './revocations.js';

/*
 * Admin: find a person and cut them off (all browser sessions, CLI tokens and
 * live AWS sessions at once), or revoke one CLI token. Every revocation is recorded in the
 * change log.
 */

/** Query of `GET /api/admin/users?q=`: part of an email or name, case-insensitive. */
export const adminUsersQuery = z.strictObject({
  q: z.string().trim().min(1, 'q: type part of an email or name').max(256, 'q must be at most 256 characters'),
});

/** A person as an admin finds them; `groups` are those of their last sign-in. */
export const adminUser = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  groups: z.array(z.string()),
  lastSeenAt: z.string(),
});
export type AdminUser = z.infer<typeof adminUser>;

/** `GET /api/admin/users?q=` → `{ items }` (at most 50, most recently seen first). */
export const adminUserList = z.object({ items: z.array(adminUser) });
export type AdminUserList = z.infer<typeof adminUserList>;

/**
 * `POST /api/admin/users/:id/cut-off` → 202: how many browser sessions ended
 * and CLI tokens were revoked, and the revocation of their AWS sessions (every
 * account where they were granted in the last 12 hours; null when there is
 * none), which the revocation worker applies within seconds.
 */
export const cutOffResponse = z.object({
  sessions: z.number().int(),
  cliTokens: z.number().int(),
  revocation: revocation.nullable(),
});
export type CutOffResponse = z.infer<typeof cutOffResponse>;

/** A person's CLI token as an admin sees it (never the secret). */
export const adminCliToken = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type AdminCliToken = z.infer<typeof adminCliToken>;

/** `GET /api/admin/users/:id/cli-tokens` → the tokens that still work. */
export const adminCliTokenList = z.object({ items: z.array(adminCliToken) });
export type AdminCliTokenList = z.infer<typeof adminCliTokenList>;

/** `POST /api/admin/cli-tokens/:id/revoke` → 200 `{ revoked: true }`; 404 when no such active token. */
export const revokeCliTokenResponse = z.object({ revoked: z.literal(true) });
