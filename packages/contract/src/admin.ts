import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, ROLE_ARN_MAX_LENGTH, ROLE_ARN_PATTERN } from '@rolegate/aws-names';

/*
 * Admin API: accounts, group → role mappings, YAML import/export, change log,
 * trust policies. These schemas check shape and give inline messages; the
 * server also applies the full rules (packages/core admin-rules) and answers
 * 400 VALIDATION_FAILED with `details.issues: [{ path, message }]` whose
 * `path` names the body field, so a form can show each message at its field.
 */

export const accountIdSchema = z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id');

const groupSchema = z
  .string()
  .min(1, 'group is required')
  .max(256, 'group must be at most 256 characters')
  .refine((g) => g === g.trim(), 'group must not start or end with spaces (groups match exactly)')
  .refine((g) => !g.includes(','), 'one group per mapping: a comma is not a list separator (groups match exactly)');

const roleArnSchema = z
  .string()
  .max(ROLE_ARN_MAX_LENGTH, `roleArn must be at most ${ROLE_ARN_MAX_LENGTH} characters`)
  .regex(ROLE_ARN_PATTERN, 'roleArn must look like arn:aws:iam::123456789012:role/[path/]RoleName (partition aws, aws-us-gov or aws-cn)');

const maxDurationSchema = z
  .number({ error: 'maxDurationSeconds must be a number of seconds' })
  .int('maxDurationSeconds must be whole seconds')
  .min(MIN_SESSION_SECONDS, `maxDurationSeconds must be at least ${MIN_SESSION_SECONDS}`)
  .max(MAX_SESSION_SECONDS, `maxDurationSeconds must be at most ${MAX_SESSION_SECONDS} (12 hours)`);

const descriptionSchema = z.string().max(1000, 'description must be at most 1000 characters');

const policyGroup = groupSchema;
const policySeconds = (name: string) =>
  z
    .number({ error: `${name} must be a number of seconds` })
    .int(`${name} must be whole seconds`)
    .min(60)
    .max(30 * 86_400);

/** One approval stage: `approvals` distinct people from the `approvers` groups. */
export const approvalStage = z.strictObject({
  approvers: z.array(policyGroup).min(1, 'a stage needs at least one approver group').max(50),
  approvals: z.number().int().min(1).max(10),
});

/**
 * The approval policy of a mapping (docs/approvals.md). All optional on
 * input: absent fields keep their default (`access: instant`). The server
 * checks the whole policy (core policyIssues) and names each bad field.
 */
export const policyInput = {
  access: z.enum(['instant', 'approval'], { error: 'access must be instant or approval' }).optional(),
  approvers: z.array(policyGroup).max(50).optional(),
  approvals: z.number().int().min(1, 'approvals must be at least 1').max(10).optional(),
  stages: z.array(approvalStage).max(5).optional(),
  pendingTimeoutSeconds: policySeconds('pendingTimeoutSeconds').optional(),
  escalateAfterSeconds: policySeconds('escalateAfterSeconds').nullable().optional(),
  escalateTo: z.array(policyGroup).max(50).optional(),
  breakGlass: z.boolean().optional(),
  reviewWithinSeconds: policySeconds('reviewWithinSeconds').optional(),
};

/** The policy as the API answers it: every field present. */
export const policyFields = {
  access: z.enum(['instant', 'approval']),
  approvers: z.array(z.string()),
  approvals: z.number().int(),
  stages: z.array(z.object({ approvers: z.array(z.string()), approvals: z.number().int() })),
  pendingTimeoutSeconds: z.number().int(),
  escalateAfterSeconds: z.number().int().nullable(),
  escalateTo: z.array(z.string()),
  breakGlass: z.boolean(),
  reviewWithinSeconds: z.number().int(),
};

/** A mapping as the admin API returns it. `accountId` is always the role ARN's account. */
export const adminMapping = z.object({
  id: z.string(),
  group: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  roleArn: z.string(),
  roleName: z.string(),
  maxDurationSeconds: z.number().int(),
  requireReason: z.boolean(),
  description: z.string(),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  ...policyFields,
});
export type AdminMapping = z.infer<typeof adminMapping>;

/**
 * `GET /api/admin/mappings`. `managedBy` names MAPPINGS_FILE when it is set:
 * the file is then the truth and every admin write answers 409
 * `MAPPINGS_MANAGED_BY_FILE` (export still works); null when admins edit here.
 */
export const adminMappingList = z.object({ items: z.array(adminMapping), managedBy: z.string().nullable() });
export type AdminMappingList = z.infer<typeof adminMappingList>;

/**
 * Body of `POST /api/admin/mappings`. The account id is taken from the role
 * ARN; that account must already exist (`PUT /api/admin/accounts/:id`).
 */
export const createMappingBody = z.strictObject({
  group: groupSchema,
  roleArn: roleArnSchema,
  maxDurationSeconds: maxDurationSchema.default(3600),
  requireReason: z.boolean().default(false),
  description: descriptionSchema.default(''),
  enabled: z.boolean().default(true),
  ...policyInput,
});
export type CreateMappingBody = z.input<typeof createMappingBody>;

/**
 * Body of `PUT /api/admin/mappings/:id`: a partial update, only the fields
 * sent change (`{ "enabled": false }` disables a mapping). At least one field.
 */
export const updateMappingBody = z
  .strictObject({
    group: groupSchema.optional(),
    roleArn: roleArnSchema.optional(),
    maxDurationSeconds: maxDurationSchema.optional(),
    requireReason: z.boolean().optional(),
    description: descriptionSchema.optional(),
    enabled: z.boolean().optional(),
    ...policyInput,
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');
export type UpdateMappingBody = z.input<typeof updateMappingBody>;

/** `{ mapping }`: answer of POST (201) and PUT (200). DELETE answers 204. */
export const adminMappingResponse = z.object({ mapping: adminMapping });
export type AdminMappingResponse = z.infer<typeof adminMappingResponse>;

export const adminAccount = z.object({
  id: z.string(),
  name: z.string(),
  /** The IAM role the broker assumes in this account for IAM calls (checks, revocation policy); null = none. */
  controlRoleArn: z.string().nullable(),
  mappingCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AdminAccount = z.infer<typeof adminAccount>;

/** `GET /api/admin/accounts`. */
export const adminAccountList = z.object({ items: z.array(adminAccount) });
export type AdminAccountList = z.infer<typeof adminAccountList>;

/**
 * An account's control role: an IAM role ARN in that same account (the
 * server checks the account; see docs/deploy.md for its policies).
 */
export const controlRoleArnSchema = z
  .string()
  .max(ROLE_ARN_MAX_LENGTH, `controlRoleArn must be at most ${ROLE_ARN_MAX_LENGTH} characters`)
  .regex(ROLE_ARN_PATTERN, 'controlRoleArn must look like arn:aws:iam::123456789012:role/[path/]RoleName (partition aws, aws-us-gov or aws-cn)');

/**
 * Body of `PUT /api/admin/accounts/:id` (creates or renames; `:id` is the
 * 12-digit account id). `controlRoleArn`: absent keeps the stored one, null
 * or "" removes it.
 */
export const upsertAccountBody = z.strictObject({
  name: z.string().trim().min(1, 'name is required').max(128, 'name must be at most 128 characters'),
  controlRoleArn: z.union([z.literal('').transform(() => null), z.null(), controlRoleArnSchema]).optional(),
});
export type UpsertAccountBody = z.input<typeof upsertAccountBody>;

export const adminAccountResponse = z.object({ account: adminAccount });
export type AdminAccountResponse = z.infer<typeof adminAccountResponse>;

/** One append-only change-log entry. `before` is null for creates, `after` null for deletes. */
export const adminChange = z.object({
  id: z.string(),
  createdAt: z.string(),
  actor: z.object({ id: z.string().nullable(), email: z.string() }),
  action: z.enum(['create', 'update', 'delete', 'cut-off', 'revoke']),
  entity: z.enum(['mapping', 'account', 'user', 'cli-token']),
  entityId: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  /** Changes made by MAPPINGS_FILE: the file and the SHA-256 of the bytes applied (actor `mappings-file`). */
  source: z.object({ file: z.string(), sha256: z.string() }).nullable(),
});
export type AdminChange = z.infer<typeof adminChange>;

/** `GET /api/admin/changes` → `{ items, nextCursor }`, newest first. */
export const adminChangeList = z.object({ items: z.array(adminChange), nextCursor: z.string().nullable() });
export type AdminChangeList = z.infer<typeof adminChangeList>;

/** Query of `GET /api/admin/changes`. */
export const adminChangesQuery = z.strictObject({
  entity: z.enum(['mapping', 'account'], { error: 'entity must be mapping or account' }).optional(),
  entityId: z.string().min(1).max(64, 'entityId must be at most 64 characters').optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'limit must be a whole number from 1 to 500')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, 'limit must be a whole number from 1 to 500')
    .default(50),
  cursor: z.string().max(200, 'cursor is not valid').optional(),
});

/**
 * Body of `POST /api/admin/mappings/import[?dryRun=1]`: JSON `{ "yaml": "<document>" }`
 * in the MAPPINGS_FILE format. (JSON, not text/yaml, because every
 * state-changing /api call must be application/json: a cross-site form can
 * never reach a handler.) The document is the whole desired state: mappings
 * not in it are deleted, accounts in it are created or renamed (accounts are
 * never deleted). Applied in one transaction, or not at all.
 */
export const importMappingsBody = z.strictObject({
  yaml: z.string().max(4_000_000, 'yaml must be at most 4 MB'),
});
export type ImportMappingsBody = z.infer<typeof importMappingsBody>;

/** Query of the import: `dryRun=1` (or `true`) shows the diff and changes nothing. */
export const importMappingsQuery = z.strictObject({
  dryRun: z.enum(['0', '1', 'true', 'false'], { error: 'dryRun must be 1 or 0' }).optional(),
});

/** A mapping as declared in YAML (no id, no timestamps). */
export const mappingSpec = z.object({
  group: z.string(),
  roleArn: z.string(),
  accountId: z.string(),
  maxDurationSeconds: z.number().int(),
  requireReason: z.boolean(),
  description: z.string(),
  enabled: z.boolean(),
  ...Object.fromEntries(Object.entries(policyFields).map(([k, v]) => [k, v.optional()])),
});
export type MappingSpec = z.infer<typeof mappingSpec>;

export const accountSpec = z.object({ id: z.string(), name: z.string(), controlRoleArn: z.string().nullable().optional() });
export type AccountSpec = z.infer<typeof accountSpec>;

/** Answer of the import, for a dry run and for the real thing alike. */
export const importResult = z.object({
  dryRun: z.boolean(),
  created: z.array(mappingSpec),
  updated: z.array(z.object({ id: z.string(), before: mappingSpec, after: mappingSpec })),
  deleted: z.array(mappingSpec.extend({ id: z.string() })),
  unchanged: z.number().int(),
  accounts: z.object({
    created: z.array(accountSpec),
    updated: z.array(z.object({ before: accountSpec, after: accountSpec })),
  }),
});
export type ImportResult = z.infer<typeof importResult>;

/** `GET /api/admin/mappings/:id/trust-policy`. `policy` is the IAM trust policy document to paste. */
export const trustPolicyResponse = z.object({
  mappingId: z.string(),
  roleArn: z.string(),
  brokerPrincipalArn: z.string(),
  actions: z.array(z.string()),
  policy: z.object({
    Version: z.literal('2012-10-17'),
    Statement: z.array(
      z.object({
        Sid: z.string(),
        Effect: z.literal('Allow'),
        Principal: z.object({ AWS: z.string() }),
        Action: z.array(z.string()),
      }),
    ),
  }),
  /** Remarks for the admin (e.g. the broker's partition differs from the role's). */
  warnings: z.array(z.string()),
});
export type TrustPolicyResponse = z.infer<typeof trustPolicyResponse>;

/** One finding of a role check: stable code, what is wrong, and the fix to paste (trust policy statement or AWS CLI command). */
export const roleCheckProblem = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  fix: z.string(),
});
export type RoleCheckProblem = z.infer<typeof roleCheckProblem>;

/**
 * The latest trust and set-up check of a mapping's role (answer of
 * `POST /api/admin/mappings/:id/check`, items of `GET /api/admin/mappings/checks`).
 * `status`: `ok` (no error-level finding; warnings may be listed),
 * `problems`, `not_checked` (never, or the mapping's role or maximum changed
 * since), `cannot_check` (`error` says why: no control role, IAM refused or
 * failed). `ok` is `status === "ok"`; `fix` joins the problems' fixes.
 */
export const mappingCheck = z.object({
  mappingId: z.string(),
  roleArn: z.string(),
  status: z.enum(['ok', 'problems', 'not_checked', 'cannot_check']),
  ok: z.boolean(),
  problems: z.array(roleCheckProblem),
  fix: z.string().nullable(),
  error: z.string().nullable(),
  checkedAt: z.string().nullable(),
});
export type MappingCheck = z.infer<typeof mappingCheck>;

/** `GET /api/admin/mappings/checks`: one item per mapping. */
export const mappingCheckList = z.object({ items: z.array(mappingCheck) });
export type MappingCheckList = z.infer<typeof mappingCheckList>;
