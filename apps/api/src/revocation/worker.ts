import { buildRevocationPolicy, retryDelayMs, versionsToDelete, type PolicyLevel, type PolicyVersionInfo, type RevocationEntry } from '@rolegate/core';
import type { AccountPassOutcome, RevocationRecord, RevocationRepository } from '@rolegate/db';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { runEvery, type Periodic } from '../periodic.js';

/**
 * What the worker needs from IAM in one account: the account's revocation
 * policy (found by the configured name), its versions, a new default
 * version. Every call goes through the account's control role.
 */
export interface RevocationPolicyIam {
  /** The policy's ARN, or null when the account has no such policy yet. */
  findPolicy(accountId: string): Promise<string | null>;
  /** Creates the policy with `document` as its first (default) version; returns that version id. */
  createPolicy(accountId: string, document: string): Promise<string>;
  listVersions(policyArn: string, accountId: string): Promise<PolicyVersionInfo[]>;
  /** Creates a version and makes it the default; returns its id. */
  createDefaultVersion(policyArn: string, accountId: string, document: string): Promise<string>;
  deleteVersion(policyArn: string, accountId: string, versionId: string): Promise<void>;
}

/** What one pass did in one account (tests and logs read it). */
export type AccountPassResult =
  { kind: 'applied'; versionId: string; level: PolicyLevel; entries: number } | { kind: 'failed'; error: string } | { kind: 'nothing' };

const entryOf = (r: RevocationRecord): RevocationEntry =>
  r.kind === 'grant'
    ? { kind: 'grant', grantId: r.grantId!, requestedAt: r.createdAt }
    : { kind: 'person', sourceIdentity: r.sourceIdentity!, revokedBefore: r.revokedBefore! };

/** AWS's error code, a timeout, or the message: what an admin sees as the revocation's last error. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timeout';
  const code = (err as { Code?: unknown; code?: unknown }).Code ?? (err as { code?: unknown }).code ?? err.name;
  return typeof code === 'string' && code !== 'Error' ? `${code}: ${err.message}` : err.message;
}

/**
 * Applies written-ahead revocations to AWS. Every replica runs one. Per
 * account, a pass holds a Postgres advisory lock for its whole IAM exchange
 * (`RevocationRepository.withAccount`), so two replicas never interleave
 * versions: each version is built from every live row of the account at the
 * time of the lock, and the next pass (whichever replica) starts from the
 * rows this one recorded. A pass writes one new default version holding
 * every live entry (so a burst of revocations costs one version), deletes
 * the oldest non-default versions to stay within AWS's five, and prunes
 * entries whose sessions have ended. When IAM throttles or fails, the rows
 * stay `requested` with the error and are retried with exponential backoff.
 * When the entries do not fit, the role-wide fallback is written — logged as
 * an error, counted in `rolegate_revocation_policy_writes_total{level="fallback"}`
 * and flagged on the rows admins see.
 */
export function createRevocationWorker(deps: {
  revocations: Pick<RevocationRepository, 'dueAccounts' | 'withAccount'>;
  iam: RevocationPolicyIam;
  log: Pick<Logger, 'warn' | 'info' | 'error'>;
  metrics?: Pick<Metrics, 'revocationWrites'>;
  backoff: { baseMs: number; maxMs: number };
  maxChars?: number;
}) {
  let loop: Periodic | undefined;

  async function writePolicy(accountId: string, document: string): Promise<string> {
    const arn = await deps.iam.findPolicy(accountId);
    if (!arn) {
      try {
        return await deps.iam.createPolicy(accountId, document);
      } catch (err) {
        // Created meanwhile (by the operator): write a version like every other time.
        if (describe(err).startsWith('EntityAlreadyExists')) return writePolicy(accountId, document);
        throw err;
      }
    }
    const versions = await deps.iam.listVersions(arn, accountId);
    for (const id of versionsToDelete(versions)) await deps.iam.deleteVersion(arn, accountId, id);
    return deps.iam.createDefaultVersion(arn, accountId, document);
  }

  /** One pass on one account; null when another replica holds the account. */
  async function passAccount(accountId: string): Promise<AccountPassResult | null> {
    return deps.revocations.withAccount<AccountPassResult>(accountId, async ({ live, due, expired }) => {
      if (!due) return { outcome: { kind: 'nothing' }, result: { kind: 'nothing' } };
      const built = buildRevocationPolicy(live.map(entryOf), deps.maxChars);
      const requested = live.filter((r) => r.state === 'requested');
      // Expired entries that never applied back off with the rest (else they would make every pass retry IAM).
      const waiting = [...requested, ...expired.filter((r) => r.state === 'requested')];
      try {
        const versionId = await writePolicy(accountId, built.text);
        deps.metrics?.revocationWrites.inc({ outcome: 'applied', level: built.level });
        if (built.level === 'fallback') {
          deps.log.error(
            { accountId, entries: live.length, versionId, chars: built.chars },
            'revocation policy full: wrote the role-wide fallback (every session issued before the newest revocation is denied on every role carrying the policy)',
          );
        } else {
          deps.log.info({ accountId, entries: live.length, versionId, level: built.level, applied: requested.length }, 'revocation policy version written');
        }
        const outcome: AccountPassOutcome = {
          kind: 'applied',
          policyVersion: versionId,
          fallback: built.level === 'fallback',
          appliedIds: requested.map((r) => r.id),
          prunedIds: expired.map((r) => r.id),
        };
        return { outcome, result: { kind: 'applied', versionId, level: built.level, entries: live.length } };
      } catch (err) {
        const error = describe(err);
        const attempts = Math.max(1, ...waiting.map((r) => r.attempts + 1));
        deps.metrics?.revocationWrites.inc({ outcome: 'failed', level: built.level });
        deps.log.warn({ accountId, err, attempt: attempts, requested: requested.length }, 'revocation policy write failed; will retry');
        return {
          outcome: { kind: 'failed', error, retryInMs: retryDelayMs(attempts, deps.backoff), requestedIds: waiting.map((r) => r.id) },
          result: { kind: 'failed', error },
        };
      }
    });
  }

  /** One pass over every account with work due. @returns what happened per account (accounts another replica held are absent) */
  async function runOnce(): Promise<Map<string, AccountPassResult>> {
    const results = new Map<string, AccountPassResult>();
    for (const accountId of await deps.revocations.dueAccounts()) {
      const r = await passAccount(accountId);
      if (r) results.set(accountId, r);
    }
    return results;
  }

  return {
    runOnce,
    passAccount,
    start(intervalMs: number) {
      loop = runEvery(intervalMs, runOnce, (err) => deps.log.warn({ err }, 'revocation pass failed; retrying at the next interval'));
    },
    async stop() {
      await loop?.stop();
    },
  };
}

export type RevocationWorker = ReturnType<typeof createRevocationWorker>;
