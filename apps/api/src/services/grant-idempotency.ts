import { createHash } from 'node:crypto';
import { AppError, type GrantRecord, type GrantResult } from '@rolegate/core';
import type { IdempotencyKeyRepository } from '@rolegate/db';

/** An Idempotency-Key: 1–255 visible ASCII characters (a UUID is typical). */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The digest a key is bound to: the parsed request body, keys sorted, so formatting does not matter. */
export function requestDigest(body: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(body)
      .sort()
      .map((k) => [k, body[k]]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * `Idempotency-Key` on POST /api/grants: a client retrying after a lost
 * response (a timeout, a dropped connection) must not mint a second set of
 * credentials. The first request with a key claims it in Postgres (so every
 * instance agrees) and records the grant it made; a repeat within ten
 * minutes makes no STS call and answers 409 `IDEMPOTENT_REPLAY` with that
 * grant's record. It cannot answer with the credentials again: they are never
 * stored (security invariant 5), so a client that lost them asks anew with a
 * new key. The same key with another body is 422 `IDEMPOTENCY_KEY_REUSED`; a
 * repeat while the first is still running is 409 `IDEMPOTENCY_KEY_IN_USE`.
 * An attempt that handed nothing out (refused, failed) releases its key.
 */
export function createGrantIdempotency(deps: { keys: IdempotencyKeyRepository; findGrant: (id: string) => Promise<GrantRecord | null> }) {
  return {
    /** Runs `issue` once per user, key and body. @throws AppError as above, and whatever `issue` throws. */
    async run(userId: string, key: string | undefined, body: Record<string, unknown>, issue: () => Promise<GrantResult>): Promise<GrantResult> {
      if (key === undefined) return issue();
      if (!KEY.test(key)) throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1–255 visible ASCII characters');
      const digest = requestDigest(body);
      const existing = await deps.keys.claim(userId, key, digest);
      if (existing) {
        if (existing.requestSha256 !== digest) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
        }
        if (existing.grantId === null) throw new AppError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running');
        const grant = await deps.findGrant(existing.grantId);
        throw new AppError('IDEMPOTENT_REPLAY', 'This request was already made; its grant is in details (credentials are given only once)', {
          grantId: existing.grantId,
          status: grant?.status ?? null,
        });
      }
      let result: GrantResult;
      try {
        result = await issue();
      } catch (err) {
        await deps.keys.release(userId, key).catch(() => {});
        throw err;
      }
      await deps.keys.complete(userId, key, result.grant.id);
      return result;
    },
  };
}

export type GrantIdempotency = ReturnType<typeof createGrantIdempotency>;
