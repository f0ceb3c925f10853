import { AppError, appRolesFor, grantRevocationRefusal, mayRevokeGrant, policyOf, type Clock, type MappingSource, type Principal } from '@rolegate/core';
import type { Revocation, GrantStatusResponse } from '@rolegate/contract';
import type { RevocationBatch, RevocationRepository, RevocationState } from '@rolegate/db';

/** A revocation batch as the HTTP contract shows it. */
export function revocationDto(b: RevocationBatch): Revocation {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: b.id,
    kind: b.kind === 'grant' ? 'grant' : 'user',
    target: b.kind === 'grant' ? (b.grantIds.length > 0 ? b.grantIds.join(', ') : (b.grantId ?? '')) : (b.userEmail ?? b.sourceIdentities.join(', ')),
    status: b.status,
    accountIds: b.accountIds,
    createdAt: b.createdAt.toISOString(),
    appliedAt: iso(b.appliedAt),
    error: b.error,
    attempts: b.attempts,
    nextAttemptAt: iso(b.nextAttemptAt),
    requestedBy: b.requestedByEmail,
    reason: b.reason,
    revokedBefore: iso(b.revokedBefore),
    policyVersions: b.policyVersions,
    fallback: b.fallback,
  };
}

/** How long one instance trusts a grant-status answer (the CLI asks on every credential_process call). */
export const GRANT_STATUS_CACHE_MS = 3000;

/**
 * Revoking grants at AWS and reading revocations. The rows are written ahead
 * (committed before any IAM call); the revocation worker applies them. Who
 * may revoke is core's `mayRevokeGrant`; what can be revoked is
 * `grantRevocationRefusal`.
 */
export function createRevocationService(deps: {
  revocations: RevocationRepository;
  mappings: MappingSource;
  rbac: { adminGroups: string[]; auditorGroups: string[] };
  clock?: Clock;
  statusCacheMs?: number;
}) {
  const now = () => (deps.clock ?? { now: () => new Date() }).now();
  const statusCache = new Map<string, { at: number; value: GrantStatusResponse & { userId: string } }>();
  const cacheMs = deps.statusCacheMs ?? GRANT_STATUS_CACHE_MS;

  async function batchOf(batchId: string): Promise<Revocation> {
    const b = await deps.revocations.batch(batchId);
    if (!b) throw new AppError('INTERNAL', 'the revocation was not recorded');
    return revocationDto(b);
  }

  return {
    /**
     * Revokes a grant's sessions at AWS (write-ahead; 202). A second revoke
     * answers the first one's revocation.
     * @throws AppError NOT_FOUND | FORBIDDEN | GRANT_NOT_REVOCABLE
     */
    async revokeGrant(p: Principal, grantId: string, reason: string | undefined): Promise<Revocation> {
      const grant = await deps.revocations.findGrant(grantId);
      if (!grant) throw new AppError('NOT_FOUND', 'No such grant');
      const mapping = grant.mappingId ? await deps.mappings.findById(grant.mappingId) : null;
      const isAdmin = appRolesFor(p.groups, deps.rbac).includes('admin');
      if (!mayRevokeGrant({ userId: p.userId, groups: p.groups, isAdmin }, grant, mapping ? policyOf(mapping) : null)) {
        // The grant's existence is no secret to someone who knows its id, but its details are: say nothing more.
        throw new AppError('FORBIDDEN', 'Only the grant’s person, an approver of its role or an admin may revoke it');
      }
      const existing = await deps.revocations.forGrant(grant.id);
      if (existing) return batchOf(existing.batchId);
      const refusal = grantRevocationRefusal(grant, now());
      if (refusal) throw new AppError('GRANT_NOT_REVOCABLE', refusal);
      const who = grant.userId === p.userId ? 'by its person' : isAdmin ? 'by an admin' : 'by an approver';
      const written = await deps.revocations.revokeGrants([grant.id], { id: p.userId, email: p.email, reason: reason || `revoked ${who}` });
      statusCache.delete(grant.id);
      // A concurrent revoke may have won the insert: either way the grant has one revocation.
      const row = written.ids.length > 0 ? { batchId: written.batchId } : await deps.revocations.forGrant(grant.id);
      return batchOf(row!.batchId);
    },

    /** Revocations for admins, newest first. */
    list: async (status?: RevocationState) => (await deps.revocations.listBatches(status ? { status } : {})).map(revocationDto),

    /** One batch (the cut-off answer). */
    batch: (id: string) => batchOf(id),

    /**
     * Whether the caller's grant may still be used, cached per instance for a
     * few seconds (the CLI asks on every credential_process call). Only the
     * grant's own person may ask. @throws AppError NOT_FOUND
     */
    async grantStatus(p: Principal, grantId: string): Promise<GrantStatusResponse> {
      const t = Date.now();
      let entry = statusCache.get(grantId);
      if (!entry || t - entry.at > cacheMs) {
        const v = await deps.revocations.validity(grantId);
        if (!v) throw new AppError('NOT_FOUND', 'No such grant of yours');
        const ended = v.expiresAt !== null && v.expiresAt <= now();
        const value = {
          id: grantId,
          userId: v.userId,
          valid: v.status === 'issued' && !ended && v.revoked === null,
          status: v.revoked ? 'revoked' : v.status,
          expiresAt: v.expiresAt ? v.expiresAt.toISOString() : null,
          revoked: v.revoked
            ? { kind: v.revoked.kind === 'grant' ? ('grant' as const) : ('user' as const), status: v.revoked.state, at: v.revoked.at.toISOString() }
            : null,
        };
        entry = { at: t, value };
        statusCache.set(grantId, entry);
        if (statusCache.size > 10_000) statusCache.delete(statusCache.keys().next().value!);
      }
      if (entry.value.userId !== p.userId) throw new AppError('NOT_FOUND', 'No such grant of yours');
      const { userId: _owner, ...answer } = entry.value;
      return answer;
    },
  };
}

export type RevocationService = ReturnType<typeof createRevocationService>;
