import { parseRoleArn } from '@rolegate/aws-names';
import { AppError, checkRole, isAppError, UpstreamError, type ObservedRole, type RoleCheckFinding } from '@rolegate/core';
import type { AdminMappingRepository, MappingCheckRecord, MappingCheckRepository, MappingCheckResult } from '@rolegate/db';
import type { IamControlPort } from '../adapters/iam.js';
import type { Logger } from '../logger.js';
import { runEvery } from '../periodic.js';

/** ListAttachedRolePolicies pages read at most (100 policies each; IAM allows 20 managed policies per role by default, 20 more on request). */
const MAX_ATTACHED_PAGES = 10;

export interface MappingCheckServiceDeps {
  checks: MappingCheckRepository;
  mappings: Pick<AdminMappingRepository, 'findMapping'>;
  /** IAM through each account's control role; absent = every check answers cannot_check. */
  iam: IamControlPort | undefined;
  /** The broker's trust principal. @throws AppError BROKER_IDENTITY_UNKNOWN */
  brokerPrincipal: () => Promise<string>;
  log: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Trust and set-up checks ("drift") of each mapping's role: reads the role
 * through IAM (GetRole, ListAttachedRolePolicies, as the account's control
 * role), judges it with core's checkRole, and stores one latest result per
 * mapping in Postgres, so every replica and restart sees the same.
 * A check never throws for AWS trouble: no control role, a refusal,
 * throttling or a timeout is stored as `cannot_check` with the reason.
 */
export function createMappingCheckService(deps: MappingCheckServiceDeps) {
  /** Reads the role; null when IAM says it does not exist. @throws AppError | UpstreamError */
  async function observe(iam: IamControlPort, accountId: string, roleArn: string): Promise<ObservedRole | null> {
    const roleName = parseRoleArn(roleArn)?.roleName ?? roleArn;
    let role;
    try {
      role = (await iam.call(accountId, (c, abortSignal, { GetRoleCommand }) => c.send(new GetRoleCommand({ RoleName: roleName }), { abortSignal }))).Role;
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 'NoSuchEntity') return null;
      throw err;
    }
    const attached: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_ATTACHED_PAGES; page++) {
      const out = await iam.call(accountId, (c, abortSignal, { ListAttachedRolePoliciesCommand }) =>
        c.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, ...(marker ? { Marker: marker } : {}) }), { abortSignal }),
      );
      attached.push(...(out.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
      marker = out.IsTruncated ? out.Marker : undefined;
      if (!marker) break;
    }
    return {
      roleArn: role?.Arn ?? roleArn,
      trustPolicyDocument: role?.AssumeRolePolicyDocument ?? '',
      maxSessionDuration: role?.MaxSessionDuration ?? 3600,
      attachedPolicyArns: attached,
    };
  }

  /** Checks one mapping's role now; the result, never an exception for AWS trouble. */
  async function inspect(mapping: { id: string; accountId: string; roleArn: string; maxDurationSeconds: number }): Promise<MappingCheckResult> {
    const base = { roleArn: mapping.roleArn, maxDurationSeconds: mapping.maxDurationSeconds };
    const cannot = (error: string): MappingCheckResult => ({ ...base, status: 'cannot_check', findings: [], error });
    if (!deps.iam) return cannot('IAM is not configured for this broker');
    try {
      const brokerPrincipalArn = await deps.brokerPrincipal();
      const revocationPolicyArn = await deps.iam.revocationPolicyArn(mapping.accountId);
      const observed = await observe(deps.iam, mapping.accountId, mapping.roleArn);
      const findings: RoleCheckFinding[] = checkRole({
        roleArn: mapping.roleArn,
        mappingMaxSeconds: mapping.maxDurationSeconds,
        brokerPrincipalArn,
        revocationPolicyArn,
        observed,
      });
      return { ...base, status: findings.some((f) => f.severity === 'error') ? 'problems' : 'ok', findings, error: null };
    } catch (err) {
      if (err instanceof UpstreamError) return cannot(`IAM ${err.code}: ${err.message}`);
      if (isAppError(err, 'CONTROL_ROLE_MISSING') || isAppError(err, 'BROKER_IDENTITY_UNKNOWN')) return cannot((err as AppError).message);
      throw err;
    }
  }

  async function checkAndStore(mapping: Parameters<typeof inspect>[0]): Promise<MappingCheckResult> {
    const result = await inspect(mapping);
    await deps.checks.save(mapping.id, result);
    if (result.status !== 'ok') {
      deps.log.warn(
        { mappingId: mapping.id, roleArn: mapping.roleArn, status: result.status, codes: result.findings.map((f) => f.code), error: result.error },
        'mapping check',
      );
    }
    return result;
  }

  return {
    /**
     * Checks one mapping's role now and stores the result.
     * @throws AppError NOT_FOUND | DATABASE_UNAVAILABLE
     */
    async checkMapping(mappingId: string): Promise<MappingCheckRecord> {
      const mapping = await deps.mappings.findMapping(mappingId);
      if (!mapping) throw new AppError('NOT_FOUND', `No mapping with id ${mappingId}`);
      await checkAndStore(mapping);
      const stored = await deps.checks.find(mappingId);
      if (!stored) throw new AppError('NOT_FOUND', `No mapping with id ${mappingId}`);
      return stored;
    },

    /**
     * One round of the periodic job: claims the mappings whose check is due
     * (leased, so replicas share the work) and checks them one by one.
     * Returns how many were checked.
     */
    async runDue(opts: { intervalSeconds: number; leaseSeconds: number; limit: number }): Promise<number> {
      const ids = await deps.checks.claimDue(opts);
      let done = 0;
      for (const id of ids) {
        const mapping = await deps.mappings.findMapping(id);
        if (!mapping) continue; // deleted since the claim (its check row went with it)
        await checkAndStore(mapping);
        done++;
      }
      return done;
    },

    /** Every mapping's latest check. */
    list: () => deps.checks.list(),

    /** Error-level findings of a mapping's latest current check (empty when ok, not checked or unknown). */
    async problemsOf(mappingId: string): Promise<RoleCheckFinding[]> {
      const c = await deps.checks.find(mappingId);
      return c?.status === 'problems' ? c.findings.filter((f) => f.severity === 'error') : [];
    },
  };
}

export type MappingCheckService = ReturnType<typeof createMappingCheckService>;

/**
 * The periodic check on this replica: every `everyMs` it runs a round of
 * due checks (a failed round is logged and retried at the next tick).
 * Every replica may run it; the lease in mapping_checks shares the work.
 */
export function startMappingCheckJob(
  service: Pick<MappingCheckService, 'runDue'>,
  opts: { intervalSeconds: number; everyMs: number; iamTimeoutMs: number; log: Pick<Logger, 'warn'> },
): { runOnce(): Promise<number>; stop(): Promise<void> } {
  let running = false;
  // A lease that outlasts a whole round even when every IAM call (at most 3 per check, plus the control role's AssumeRole) runs into its timeout,
  // so no other replica re-claims a mapping still being checked; a crashed replica's claims come back after it.
  const limit = 20;
  const leaseSeconds = Math.ceil((limit * 4 * opts.iamTimeoutMs) / 1000) + 60;
  async function runOnce(): Promise<number> {
    if (running) return 0;
    running = true;
    try {
      return await service.runDue({ intervalSeconds: opts.intervalSeconds, leaseSeconds, limit });
    } finally {
      running = false;
    }
  }
  const loop = runEvery(opts.everyMs, runOnce, (err) => opts.log.warn({ err }, 'mapping checks failed'));
  return { runOnce, stop: () => loop.stop() };
}
