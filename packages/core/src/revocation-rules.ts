import { isApproverOf, type AccessPolicy } from './access-policy.js';
import { MAX_SESSION_MS } from './revocation-policy.js';

/** Who asks to revoke. */
export interface RevokeActor {
  userId: string;
  groups: readonly string[];
  isAdmin: boolean;
}

/**
 * Who may revoke a grant: its own person (a lost laptop, a finished job),
 * an approver of its mapping (exact group match — the people who let it
 * happen may stop it), or an admin. Nobody else: revoking someone else's
 * session is a denial of service on them.
 */
export function mayRevokeGrant(actor: RevokeActor, grant: { userId: string }, policy: AccessPolicy | null): boolean {
  if (actor.isAdmin || actor.userId === grant.userId) return true;
  return policy !== null && isApproverOf(policy, actor.groups);
}

/**
 * Why a grant cannot be revoked at AWS, or null when it can: a denied grant
 * never reached AWS; a session past its end (or, when the end is unknown,
 * 12 hours after the grant) is already dead. Pending, abandoned and failed
 * grants may have reached AWS (an outcome lost after STS answered), so they
 * can be revoked.
 */
export function grantRevocationRefusal(grant: { status: string; createdAt: Date; expiresAt: Date | null; accountId: string | null }, now: Date): string | null {
  if (grant.status === 'denied' || !grant.accountId) return 'This grant was denied: no AWS session exists';
  const end = grant.expiresAt ?? new Date(grant.createdAt.getTime() + MAX_SESSION_MS);
  if (end <= now) return 'This grant’s session has already ended';
  return null;
}
