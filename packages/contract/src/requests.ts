import { z } from 'zod';

/*
 * Just-in-time access requests (docs/approvals.md): an employee asks for an
 * approval role, approvers decide, approval opens an access window inside
 * which grants are issued (each STS session clipped to the window's end).
 */

const reasonSchema = z
  .string()
  .trim()
  .min(1, 'reason is required')
  .max(1000, 'reason must be at most 1000 characters')
  .refine((v) => !v.includes('\u0000'), 'reason must not contain NUL characters');

const commentSchema = z
  .string()
  .max(1000, 'comment must be at most 1000 characters')
  .refine((v) => !v.includes('\u0000'), 'comment must not contain NUL characters');

export const requestStatus = z.enum(['pending', 'approved', 'denied', 'expired', 'cancelled', 'ended', 'revoked']);
export type RequestStatusName = z.infer<typeof requestStatus>;

const person = z.object({ id: z.string(), email: z.string() });

export const accessRequest = z.object({
  id: z.string(),
  createdAt: z.string(),
  requester: person,
  mappingId: z.string(),
  accountId: z.string(),
  roleArn: z.string(),
  roleName: z.string(),
  durationSeconds: z.number().int(),
  reason: z.string(),
  breakGlass: z.boolean(),
  /** What the reader should see now: a pending request past its deadline is `expired`, an approved one past its window `ended`. */
  status: requestStatus,
  approvals: z.array(z.object({ by: person, at: z.string(), stage: z.number().int(), comment: z.string().nullable() })),
  /** Approvals still needed at the stage now waiting, and that stage (1-based) of how many. */
  progress: z.object({ stage: z.number().int(), stages: z.number().int(), needed: z.number().int() }),
  pendingUntil: z.string(),
  decidedAt: z.string().nullable(),
  windowStartsAt: z.string().nullable(),
  windowEndsAt: z.string().nullable(),
  extendsRequestId: z.string().nullable(),
  review: z.object({ status: z.enum(['open', 'closed']), dueAt: z.string(), by: person.nullable(), note: z.string().nullable() }).nullable(),
  events: z.array(
    z.object({
      at: z.string(),
      type: z.string(),
      by: z.object({ id: z.string().nullable(), email: z.string() }),
      stage: z.number().int().nullable(),
      comment: z.string().nullable(),
    }),
  ),
  /** What the caller may do now. */
  can: z.object({ approve: z.boolean(), deny: z.boolean(), cancel: z.boolean(), end: z.boolean(), extend: z.boolean() }),
});
export type AccessRequest = z.infer<typeof accessRequest>;

export const requestResponse = z.object({ request: accessRequest });
export type RequestResponse = z.infer<typeof requestResponse>;

/** Body of `POST /api/requests`. */
export const createRequestBody = z.strictObject({
  entitlementId: z.string().min(1).max(64),
  durationSeconds: z.number().int().min(0).max(1_000_000),
  reason: reasonSchema,
  breakGlass: z.boolean().optional(),
});
export type CreateRequestBody = z.input<typeof createRequestBody>;

/** Query of `GET /api/requests`: `mine` (default) or `approver` (requests the caller may decide, or has). */
export const requestListQuery = z.strictObject({
  scope: z.enum(['mine', 'approver'], { error: 'scope must be mine or approver' }).default('mine'),
  status: requestStatus.optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'limit must be a whole number from 1 to 200')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'limit must be a whole number from 1 to 200')
    .default(50),
  cursor: z.string().max(200).optional(),
});

export const requestList = z.object({
  items: z.array(
    accessRequest.extend({ recent: z.array(accessRequest.pick({ id: true, createdAt: true, status: true, reason: true, durationSeconds: true })).optional() }),
  ),
  nextCursor: z.string().nullable(),
});
export type RequestList = z.infer<typeof requestList>;

export const decisionBody = z.strictObject({ comment: commentSchema.optional() });
export const extendRequestBody = z.strictObject({ durationSeconds: z.number().int().min(0).max(1_000_000), reason: reasonSchema });
export const closeReviewBody = z.strictObject({ note: reasonSchema });

export const reviewQuery = z.strictObject({ status: z.enum(['open', 'closed']).default('open') });
export const reviewList = z.object({ items: z.array(accessRequest.extend({ overdue: z.boolean() })) });

/** `GET /api/admin/outbox`: the newest notifications and their delivery state (in demo mode: what would have been sent). */
export const outboxList = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      createdAt: z.string(),
      eventType: z.string(),
      requestId: z.string().nullable(),
      channel: z.enum(['webhook', 'email', 'slack']),
      target: z.string(),
      status: z.enum(['pending', 'delivered', 'failed']),
      attempts: z.number().int(),
      nextAttemptAt: z.string(),
      deliveredAt: z.string().nullable(),
      lastError: z.string().nullable(),
      payload: z.record(z.string(), z.unknown()),
      /** What the row sends, in one line: the mail's subject, the Slack message's text, the webhook's event. */
      message: z.string(),
    }),
  ),
});
export type OutboxList = z.infer<typeof outboxList>;
