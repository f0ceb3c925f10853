import { resolveDuration } from './durations.js';
import { AppError, isAppError } from './errors.js';
import { awsRefusalMessage } from './aws-refusal.js';
import { entitlementsFor, isEntitled, type RoleMapping } from './mapping.js';
import { isAccountId, parseRoleArn } from '@rolegate/aws-names';
import { resolveDestination } from './partitions.js';
import { policyOf } from './access-policy.js';
import { clipToWindow } from './request-rules.js';
import type {
  AccessWindowSource,
  AssumeRoleOutput,
  FederationPort,
  GrantKind,
  GrantRecord,
  GrantStore,
  MappingSource,
  StsPort,
  TemporaryCredentials,
} from './ports.js';
import { UpstreamError } from './ports.js';
import type { Principal } from './principal.js';
import { sessionNameFor } from './session-name.js';

/** Session tag that carries the grant id into CloudTrail. */
export const GRANT_ID_TAG = 'rolegate:grant-id';

export interface GrantRequest {
  entitlementId: string;
  kind: GrantKind;
  durationSeconds?: number | undefined;
  reason?: string | undefined;
  destination?: string | undefined;
}

export interface RequestContext {
  clientIp: string | null;
  userAgent: string | null;
  /** True once the client has gone away (its connection closed): credentials would reach nobody. */
  isClientGone?: () => boolean;
}

export interface GrantResult {
  grant: GrantRecord;
  consoleUrl?: string;
  credentials?: TemporaryCredentials;
}

export interface GrantServiceDeps {
  mappings: MappingSource;
  grants: GrantStore;
  sts: StsPort;
  federation: FederationPort;
  /**
   * Runs an outcome write again later (bounded retries) when the database
   * failed it: a grant AWS answered must not stay pending for lack of one write.
   */
  retryLater?: (write: () => Promise<unknown>) => void;
  /** Whether the person may manage mappings: they are then told the trust-policy check when AWS refuses a role, others whom to ask. */
  isAdmin?: (principal: Principal) => boolean;
  /** Open access windows; without it every approval mapping answers APPROVAL_REQUIRED. */
  windows?: AccessWindowSource;
  /** Error-level findings of a mapping's latest role check; a refusal then names them (read only when AWS refused). */
  roleCheckProblems?: (mappingId: string) => Promise<readonly { code: string; message: string }[]>;
  clock?: { now(): Date };
}

/**
 * The grant lifecycle: validate, record the grant (committed) before AWS is
 * called, call STS (and the federation endpoint for console grants), record
 * the outcome, and only then hand anything to the caller.
 */
/** The parts of a grant row that come from the caller and the request. */
function rowBase(principal: Principal, req: Pick<GrantRequest, 'kind' | 'reason'>, ctx: RequestContext) {
  const sessionName = sessionNameFor(principal.email || principal.subject);
  return {
    user: { id: principal.userId, email: principal.email, subject: principal.subject, idp: principal.idp },
    groups: [...principal.groups],
    kind: req.kind,
    reason: req.reason ?? null,
    clientIp: ctx.clientIp,
    userAgent: ctx.userAgent,
    roleSessionName: sessionName,
    sourceIdentity: sessionName,
  };
}

export function createGrantService(deps: GrantServiceDeps) {
  const { mappings, grants, sts, federation } = deps;

  /**
   * @throws AppError NOT_ENTITLED (recorded as denied), INVALID_DURATION,
   *   REASON_REQUIRED, INVALID_DESTINATION (not recorded), AWS_STS_FAILED,
   *   AWS_FEDERATION_FAILED (recorded as failed), DATABASE_UNAVAILABLE.
   */
  async function requestGrant(principal: Principal, req: GrantRequest, ctx: RequestContext): Promise<GrantResult> {
    const { entitlementId, ...rest } = req;
    return grantFor(principal, await mappings.findById(entitlementId), rest, ctx);
  }

  /** The lifecycle for one looked-up mapping (null: unknown entitlement). */
  async function grantFor(
    principal: Principal,
    mapping: RoleMapping | null,
    req: Omit<GrantRequest, 'entitlementId'>,
    ctx: RequestContext,
  ): Promise<GrantResult> {
    const base = rowBase(principal, req, ctx);
    const sessionName = base.roleSessionName;

    if (!mapping || !isEntitled(principal.groups, mapping)) {
      await grants.insert({
        ...base,
        mappingId: mapping?.id ?? null,
        accountId: mapping?.accountId ?? null,
        roleArn: mapping?.roleArn ?? null,
        durationSeconds: req.durationSeconds ?? null,
        status: 'denied',
        error: 'NOT_ENTITLED',
      });
      throw new AppError('NOT_ENTITLED', 'You are not entitled to this role');
    }

    const arn = parseRoleArn(mapping.roleArn);
    if (!arn) throw new AppError('INTERNAL', 'The mapping holds an invalid role ARN');
    // Approval mappings: only inside an open access window, and never past its end.
    const window = policyOf(mapping).access === 'approval' ? ((await deps.windows?.activeWindow(principal.userId, mapping.id)) ?? null) : null;
    if (policyOf(mapping).access === 'approval' && !window) {
      await grants.insert({
        ...base,
        mappingId: mapping.id,
        accountId: mapping.accountId,
        roleArn: mapping.roleArn,
        durationSeconds: req.durationSeconds ?? null,
        status: 'denied',
        error: 'APPROVAL_REQUIRED',
      });
      throw new AppError('APPROVAL_REQUIRED', 'This role needs an approved request first', {
        requestUrl: `/requests/new?entitlementId=${encodeURIComponent(mapping.id)}`,
        entitlementId: mapping.id,
        breakGlass: policyOf(mapping).breakGlass,
      });
    }
    const roleChained = await sts.isRoleChained();
    const validated = resolveDuration(req.durationSeconds, mapping.maxDurationSeconds, { roleChained });
    const durationSeconds = window ? clipToWindow(validated, window.endsAt, (deps.clock ?? { now: () => new Date() }).now()) : validated;
    if (mapping.requireReason && (req.reason ?? '').trim() === '') {
      throw new AppError('REASON_REQUIRED', 'This role requires a reason');
    }
    const destination = req.kind === 'console' ? resolveDestination(req.destination, arn.partition) : null;

    // Write-ahead: the row is committed before AWS hears of the grant.
    const row = {
      ...base,
      id: globalThis.crypto.randomUUID(),
      mappingId: mapping.id,
      accountId: mapping.accountId,
      roleArn: mapping.roleArn,
      durationSeconds,
      status: 'pending' as const,
      ...(window ? { requestId: window.requestId } : {}),
    };
    let pending: GrantRecord;
    try {
      pending = await grants.insert(row);
    } catch (err) {
      // The insert may have committed although its answer was lost (a cut or
      // frozen database). AWS was not called: close the row, if it exists, once
      // the database is back, rather than leave it pending for the reconciler.
      if (isAppError(err, 'DATABASE_UNAVAILABLE')) {
        const unconfirmed: GrantRecord = { ...row, createdAt: new Date(0), expiresAt: null, stsRequestId: null, accessKeyId: null, error: null };
        retryOutcome(() => grants.markFailed(unconfirmed, { error: 'db:insert-unconfirmed' }));
      }
      throw err;
    }

    let assumed: AssumeRoleOutput;
    try {
      assumed = await sts.assumeRole({
        roleArn: mapping.roleArn,
        roleSessionName: sessionName,
        sourceIdentity: sessionName,
        durationSeconds,
        tags: { [GRANT_ID_TAG]: pending.id },
      });
    } catch (err) {
      throw await recordFailure(pending, err, 'AWS_STS_FAILED', undefined, { principal, mapping });
    }

    let consoleUrl: string | undefined;
    if (destination !== null) {
      try {
        consoleUrl = await federation.signInUrl({
          credentials: assumed.credentials,
          roleArn: mapping.roleArn,
          destination,
          sessionDurationSeconds: roleChained ? undefined : durationSeconds,
        });
      } catch (err) {
        throw await recordFailure(pending, err, 'AWS_FEDERATION_FAILED', assumed);
      }
    }

    const handedNothing = { stsRequestId: assumed.requestId, accessKeyId: assumed.credentials.accessKeyId };
    // A client that left (timed out, closed the tab) would receive nothing: record that, not `issued`.
    if (ctx.isClientGone?.()) {
      await grants.markFailed(pending, { error: 'client:gone', ...handedNothing });
      throw new AppError('CLIENT_GONE', 'The client went away before the credentials could be handed out');
    }
    let issued: GrantRecord;
    try {
      issued = await grants.markIssued(pending, { ...handedNothing, expiresAt: assumed.credentials.expiration });
    } catch (err) {
      // The caller gets a 503 and never sees the credentials. Record that
      // truthfully once the database is back (the reconciler is the last resort).
      if (!isAppError(err, 'DATABASE_UNAVAILABLE')) throw err;
      retryOutcome(() => grants.markFailed(pending, { error: 'db:outcome-not-recorded', ...handedNothing }));
      throw new AppError('DATABASE_UNAVAILABLE', 'AWS issued the session, but recording it failed, so the credentials were not handed out; try again shortly');
    }
    if (consoleUrl !== undefined) return { grant: issued, consoleUrl };
    return { grant: issued, credentials: assumed.credentials };
  }

  /**
   * Retries an outcome write in the background; a row that is no longer
   * pending (the write had committed after all, the reconciler closed it, the
   * insert never committed) means there is nothing left to do.
   */
  function retryOutcome(write: () => Promise<unknown>) {
    deps.retryLater?.(() =>
      write().catch((e: unknown) => {
        if (!isAppError(e, 'INTERNAL')) throw e;
      }),
    );
  }

  async function recordFailure(
    pending: GrantRecord,
    err: unknown,
    code: 'AWS_STS_FAILED' | 'AWS_FEDERATION_FAILED',
    assumed?: AssumeRoleOutput,
    refused?: { principal: Principal; mapping: RoleMapping },
  ): Promise<AppError> {
    const upstream = err instanceof UpstreamError ? err : null;
    const awsCode = upstream?.code ?? (isAppError(err) ? err.code : 'UnknownError');
    // Always close the row: a grant must never stay `pending` after AWS answered.
    await grants.markFailed(pending, {
      error: `${upstream?.service ?? 'aws'}:${awsCode}`,
      stsRequestId: assumed?.requestId ?? upstream?.requestId ?? null,
      accessKeyId: assumed?.credentials.accessKeyId ?? null,
    });
    if (isAppError(err)) return err;
    const what = code === 'AWS_STS_FAILED' ? 'AWS STS' : 'The AWS federation endpoint';
    const audience = refused && deps.isAdmin?.(refused.principal) ? 'admin' : 'employee';
    // Only on a refusal (never on the grant path): a failed lookup leaves the plain advice.
    const findings = refused && awsCode === 'AccessDenied' && deps.roleCheckProblems ? await deps.roleCheckProblems(refused.mapping.id).catch(() => []) : [];
    const advice = refused ? awsRefusalMessage(awsCode, refused.mapping, audience, findings) : null;
    if (advice && refused) {
      return new AppError(code, advice, {
        awsCode,
        roleArn: refused.mapping.roleArn,
        accountId: refused.mapping.accountId,
        audience,
        ...(findings.length > 0 ? { checkFindings: findings.map((f) => f.code) } : {}),
        ...(audience === 'admin' ? { mappingId: refused.mapping.id } : {}),
      });
    }
    return new AppError(code, `${what} did not issue the session (${awsCode})`, { awsCode });
  }

  /** The roles the principal may use (exact group match, enabled mappings only). */
  async function entitlements(principal: Principal) {
    return entitlementsFor(principal.groups, await mappings.listEnabled());
  }

  /**
   * A grant for a role named by account and role name (the console deep
   * link). The role is looked up among the caller's entitlements only; a
   * miss is recorded as denied.
   */
  async function requestGrantByRole(
    principal: Principal,
    req: Omit<GrantRequest, 'entitlementId'> & { accountId: string; roleName: string },
    ctx: RequestContext,
  ): Promise<GrantResult> {
    const { accountId, roleName, ...rest } = req;
    const match = (await entitlements(principal)).find((m) => m.accountId === accountId && parseRoleArn(m.roleArn)?.roleName === roleName);
    if (!match) {
      await grants.insert({
        ...rowBase(principal, req, ctx),
        mappingId: null,
        accountId: isAccountId(accountId) ? accountId : null,
        roleArn: null,
        durationSeconds: req.durationSeconds ?? null,
        status: 'denied',
        error: 'NOT_ENTITLED',
      });
      throw new AppError('NOT_ENTITLED', 'You are not entitled to this role');
    }
    // The match is already an entitlement of the caller: no second lookup.
    return grantFor(principal, match, rest, ctx);
  }

  return { requestGrant, requestGrantByRole, entitlements };
}

export type GrantService = ReturnType<typeof createGrantService>;
