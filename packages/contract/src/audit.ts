import { ACCOUNT_ID_PATTERN, ROLE_ARN_MAX_LENGTH, ROLE_ARN_OUTLINE, ROLE_NAME_PATTERN } from '@rolegate/aws-names';
import { z } from 'zod';
import { grant, grantKind, grantStatus } from './grants.js';
import { requestStatus } from './requests.js';

/*
 * Auditor API (`/api/audit/*`, needs the auditor role). Every filter is an
 * exact match (never a substring: "bob" does not find "bobby"); results are
 * newest first and keyset-paginated on (createdAt, id), so pages stay stable
 * while new grants arrive. Invalid filter values are a 400 whose message names
 * the field.
 */

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** True for an existing calendar date/time in ISO-8601 (date only = UTC midnight; a time needs Z or an offset). */
export function isIsoDateTime(v: string): boolean {
  const m = ISO_DATE_TIME.exec(v);
  if (!m) return false;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1).map((x) => x ?? undefined) as string[];
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  return !Number.isNaN(new Date(v).getTime());
}

const isoDate = (field: string) =>
  z
    .string()
    .refine(isIsoDateTime, `${field} must be an ISO-8601 date or date-time with a time zone, e.g. 2026-11-29 or 2026-11-29T12:00:00Z`)
    .transform((v) => new Date(v));

/** `limit`: 1..500, default 50. */
export const pageLimit = z
  .string()
  .regex(/^\d{1,4}$/, 'limit must be a whole number from 1 to 500')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 500, 'limit must be a whole number from 1 to 500')
  .default(50);

/** One anchored pattern matching what either anchored pattern matches (kept a regex so OpenAPI shows it). */
function eitherOf(a: RegExp, b: RegExp): RegExp {
  const inner = (r: RegExp) => r.source.replace(/^\^/, '').replace(/\$$/, '');
  return new RegExp(`^(?:${inner(a)}|${inner(b)})$`);
}

/** The filters shared by the list and the export. */
export const auditFilterFields = {
  /** An email address or a user id, matched exactly. */
  user: z.string().min(1, 'user must not be empty').max(320, 'user must be at most 320 characters').optional(),
  accountId: z.string().regex(ACCOUNT_ID_PATTERN, 'accountId must be a 12-digit AWS account id').optional(),
  roleArn: z
    .string()
    .max(ROLE_ARN_MAX_LENGTH, `roleArn must be at most ${ROLE_ARN_MAX_LENGTH} characters`)
    .regex(ROLE_ARN_OUTLINE, 'roleArn must be an IAM role ARN (arn:aws:iam::123456789012:role/Name)')
    .optional(),
  /** A role name (matched in every account, case-insensitively) or a full role ARN (exact). */
  role: z
    .string()
    .max(ROLE_ARN_MAX_LENGTH, `role must be at most ${ROLE_ARN_MAX_LENGTH} characters`)
    .regex(eitherOf(ROLE_ARN_OUTLINE, ROLE_NAME_PATTERN), 'role must be a role name (e.g. Developer) or an IAM role ARN (arn:aws:iam::123456789012:role/Name)')
    .optional(),
  status: z.enum(grantStatus.options, { error: `status must be one of ${grantStatus.options.join(', ')}` }).optional(),
  kind: z.enum(grantKind.options, { error: 'kind must be console or cli' }).optional(),
  /** Grants issued in the window of this access request. */
  requestId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'requestId must be a request id (a UUID)')
    .optional(),
  /** Grants issued under a request that is now in this status. */
  requestStatus: z.enum(requestStatus.options, { error: `requestStatus must be one of ${requestStatus.options.join(', ')}` }).optional(),
  /** Inclusive lower bound on createdAt. */
  from: isoDate('from').optional(),
  /** Exclusive upper bound on createdAt. */
  to: isoDate('to').optional(),
  /** Only one order exists: newest first (keyset pagination needs a fixed order). */
  sort: z.literal('-createdAt', { error: 'sort must be -createdAt (newest first is the only order)' }).optional(),
};

/** The names of the grant-history filters (query parameters of the list and the export). */
export type AuditFilterName = Exclude<keyof typeof auditFilterFields, 'sort'>;

function checkRange(q: { from?: Date | undefined; to?: Date | undefined }, ctx: z.RefinementCtx) {
  if (q.from && q.to && q.from.getTime() >= q.to.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be later than from' });
  }
}

/**
 * Query of `GET /api/audit/grants`. Strict: an unknown parameter is a 400, so
 * a misspelt filter never silently widens the result.
 */
export const auditGrantsQuery = z
  .strictObject({ ...auditFilterFields, limit: pageLimit, cursor: z.string().max(200, 'cursor is not valid').optional() })
  .superRefine(checkRange);
export type AuditGrantsQuery = z.input<typeof auditGrantsQuery>;
export type AuditGrantsFilter = z.output<typeof auditGrantsQuery>;

/** Query of `GET /api/audit/grants/export`: the same filters plus `format` (no paging: everything matching is streamed). */
export const auditExportQuery = z
  .strictObject({ ...auditFilterFields, format: z.enum(['csv', 'ndjson'], { error: 'format must be csv or ndjson' }) })
  .superRefine(checkRange);
export type AuditExportQuery = z.input<typeof auditExportQuery>;

/** `GET /api/audit/grants` → newest first; pass `nextCursor` back as `cursor` for the next page (null: no more). */
export const auditGrantList = z.object({ items: z.array(grant), nextCursor: z.string().nullable() });
export type AuditGrantList = z.infer<typeof auditGrantList>;

/** `GET /api/audit/grants/:id` → everything needed to find the session in CloudTrail. */
export const auditGrantDetail = z.object({
  grant,
  cloudTrail: z.object({
    /** userIdentity.sessionContext... RoleSessionName as it appears in CloudTrail. */
    roleSessionName: z.string().nullable(),
    sourceIdentity: z.string().nullable(),
    accessKeyId: z.string().nullable(),
    /** requestID of the AssumeRole event. */
    stsRequestId: z.string().nullable(),
    /** The session tag on the AssumeRole event: key `rolegate:grant-id`, value the grant id. */
    grantIdTag: z.object({ key: z.literal('rolegate:grant-id'), value: z.string() }),
  }),
  /** Who revoked this grant at AWS, when and why, and how far the revocation got; null when it was never revoked on its own. */
  revocation: z
    .object({
      requestedBy: z.string(),
      requestedAt: z.string(),
      reason: z.string(),
      state: z.enum(['requested', 'applied', 'pruned']),
      appliedAt: z.string().nullable(),
      policyVersion: z.string().nullable(),
    })
    .nullable(),
});
export type AuditGrantDetail = z.infer<typeof auditGrantDetail>;

/** Column order of the CSV export. NDJSON lines are grants in the API's `grant` shape. */
export const AUDIT_EXPORT_COLUMNS = [
  'id',
  'createdAt',
  'userId',
  'userEmail',
  'userSubject',
  'idp',
  'groups',
  'mappingId',
  'accountId',
  'roleArn',
  'roleSessionName',
  'sourceIdentity',
  'kind',
  'durationSeconds',
  'expiresAt',
  'reason',
  'status',
  'stsRequestId',
  'accessKeyId',
  'clientIp',
  'userAgent',
  'error',
  'requestId',
] as const;

/** Optional filters of `GET /api/grants` (the caller's own history). */
export const myGrantsQuery = z
  .strictObject({
    accountId: auditFilterFields.accountId,
    roleArn: auditFilterFields.roleArn,
    status: auditFilterFields.status,
    kind: auditFilterFields.kind,
    from: auditFilterFields.from,
    to: auditFilterFields.to,
    limit: pageLimit,
    cursor: z.string().max(200, 'cursor is not valid').optional(),
  })
  .superRefine(checkRange);
