import { assumedRoleArn, parseRoleArn } from './arn.js';
import { packedPolicySize, parseAssumeRoleParams } from './assume-role-params.js';
import type { Principal } from './auth.js';
import type { EmulatorContext } from './context.js';
import { AwsError, validationError } from './errors.js';
import { newSecretAccessKey, newSessionToken, newTemporaryAccessKeyId, stableId } from './ids.js';
import type { IssuedSession } from './store.js';
import { requireAllowed } from './authz.js';
import { untrustedAction, requiredTrustActions } from './trust.js';
import { stsSuccessXml, type XmlTree } from './xml.js';

/** AWS caps sessions obtained by role chaining at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** The STS actions the emulator serves. */
export const STS_ACTIONS = ['AssumeRole', 'GetCallerIdentity'] as const;

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * AssumeRole: validates, checks trust, issues and remembers credentials; returns the result tree.
 * Throws AwsError 400 ValidationError (and friends) or 403 AccessDenied.
 */
export function assumeRole(ctx: EmulatorContext, caller: Principal, params: Record<string, string>): XmlTree {
  const input = parseAssumeRoleParams(params);
  const role = ctx.iam.roles.get(input.roleArn);
  const roleParts = parseRoleArn(input.roleArn);
  const denied = (action: string): AwsError =>
    new AwsError(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${input.roleArn}`);
  // Unknown and untrusted roles answer alike, so callers cannot probe which roles exist.
  if (!role || !roleParts) throw denied('sts:AssumeRole');
  const refused = untrustedAction(ctx, role, caller, input);
  if (refused) throw denied(refused);
  if (role.externalId !== undefined && role.externalId !== input.externalId) throw denied('sts:AssumeRole');
  // The caller's own identity policies must allow the same actions (a role session, or a configured caller given policies).
  for (const action of requiredTrustActions(input)) requireAllowed(ctx, caller, action, input.roleArn, ctx.region);
  if (caller.chained && input.durationSeconds > ROLE_CHAINING_MAX_SECONDS) {
    throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (input.durationSeconds > role.maxSessionDuration) {
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const packed = packedPolicySize(input);
  if (packed !== undefined && packed > 100) {
    throw new AwsError(400, 'PackedPolicyTooLarge', `Packed size of consumed session policies and session tags exceeds 100%. (${packed}%)`);
  }
  const now = ctx.now();
  const session: IssuedSession = {
    accessKeyId: newTemporaryAccessKeyId(),
    secretAccessKey: newSecretAccessKey(),
    sessionToken: newSessionToken(),
    arn: assumedRoleArn(roleParts, input.roleSessionName),
    roleArn: input.roleArn,
    roleName: roleParts.name,
    account: roleParts.account,
    sessionName: input.roleSessionName,
    assumedRoleId: `${stableId('AROA', `arn:${roleParts.partition}:iam::${roleParts.account}:role/${roleParts.name}`)}:${input.roleSessionName}`,
    issuedAt: now,
    // Whole seconds, exactly the Expiration the caller is told.
    expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + input.durationSeconds * 1000),
    durationSeconds: input.durationSeconds,
    ...(input.sourceIdentity !== undefined ? { sourceIdentity: input.sourceIdentity } : {}),
    tags: input.tags,
    chained: caller.chained,
  };
  ctx.store.addSession(session);
  return {
    SourceIdentity: input.sourceIdentity,
    AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(session.expiresAt),
    },
    PackedPolicySize: packed?.toString(),
  };
}

/** GetCallerIdentity's result tree. */
export const getCallerIdentity = (caller: Principal): XmlTree => ({
  Arn: caller.arn,
  UserId: caller.userId,
  Account: caller.account,
});

/** Runs one authenticated STS action and returns the success XML; throws AwsError (400 InvalidAction for unknown actions). */
export function handleStsAction(ctx: EmulatorContext, action: string, caller: Principal, params: Record<string, string>, requestId: string): string {
  switch (action) {
    case 'AssumeRole':
      return stsSuccessXml(action, assumeRole(ctx, caller, params), requestId);
    case 'GetCallerIdentity':
      return stsSuccessXml(action, getCallerIdentity(caller), requestId);
    default:
      throw new AwsError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.Version ?? '2011-06-15'}`);
  }
}
