import type { IdpKind } from './principal.js';
import type { RoleMapping } from './mapping.js';

export type GrantKind = 'console' | 'cli';
export type GrantStatus = 'pending' | 'issued' | 'failed' | 'denied' | 'revoked' | 'abandoned';

/** A grant row as the domain sees it. */
export interface GrantRecord {
  id: string;
  createdAt: Date;
  user: { id: string; email: string; subject: string; idp: IdpKind };
  groups: string[];
  mappingId: string | null;
  accountId: string | null;
  roleArn: string | null;
  roleSessionName: string | null;
  sourceIdentity: string | null;
  kind: GrantKind;
  durationSeconds: number | null;
  expiresAt: Date | null;
  reason: string | null;
  status: GrantStatus;
  stsRequestId: string | null;
  accessKeyId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  error: string | null;
  /** The access request whose window the grant was issued in (approval mappings); null or absent otherwise. */
  requestId?: string | null;
}

export type NewGrant = Omit<GrantRecord, 'id' | 'createdAt' | 'expiresAt' | 'stsRequestId' | 'accessKeyId' | 'error' | 'status'> & {
  status: 'pending' | 'denied';
  error?: string | null;
  /** The row's id when the caller chose it (so that an insert whose answer was lost can be closed later). */
  id?: string;
};

/** Grant persistence. Every method commits before it resolves. */
export interface GrantStore {
  /** Inserts a row and commits it; @throws AppError DATABASE_UNAVAILABLE */
  insert(grant: NewGrant): Promise<GrantRecord>;
  /**
   * Records the outcome of the `pending` grant (as insert returned it) and
   * commits; returns the updated record. An outcome is recorded once:
   * @throws AppError INTERNAL when the row is no longer pending.
   */
  markIssued(pending: GrantRecord, outcome: { stsRequestId: string | null; accessKeyId: string; expiresAt: Date }): Promise<GrantRecord>;
  markFailed(pending: GrantRecord, outcome: { error: string; stsRequestId?: string | null; accessKeyId?: string | null }): Promise<GrantRecord>;
}

export interface MappingSource {
  findById(id: string): Promise<RoleMapping | null>;
  listEnabled(): Promise<RoleMapping[]>;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  sourceIdentity: string;
  durationSeconds: number;
  tags: Record<string, string>;
}

export interface AssumeRoleOutput {
  credentials: TemporaryCredentials;
  requestId: string | null;
  assumedRoleArn: string | null;
}

/** An AWS call that failed: `code` is AWS's error code (AccessDenied, Throttling, Timeout…). */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly service: 'sts' | 'federation' | 'iam',
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

/** AWS STS as the grant service needs it. @throws UpstreamError */
export interface StsPort {
  assumeRole(input: AssumeRoleInput): Promise<AssumeRoleOutput>;
  /** True when the broker itself runs on role credentials (AWS then caps sessions at 1 h). */
  isRoleChained(): Promise<boolean>;
}

/** Who the broker is at AWS (GetCallerIdentity), for the trust policies admins are shown; null while unknown. */
export interface BrokerIdentityPort {
  detectIdentity(): Promise<string | null>;
}

/** The AWS federation endpoint. @throws UpstreamError */
export interface FederationPort {
  signInUrl(input: { credentials: TemporaryCredentials; roleArn: string; destination: string; sessionDurationSeconds: number | undefined }): Promise<string>;
}

/** Open access windows (approval mappings), for the grant path. */
export interface AccessWindowSource {
  /** The caller's open window on the mapping that ends last (overlapping windows never shorten access), or null. */
  activeWindow(userId: string, mappingId: string): Promise<{ requestId: string; endsAt: Date } | null>;
}

export interface Clock {
  now(): Date;
}
