/**
 * Every stable error code the API answers with, in `{ error: { code } }`.
 * One list for the server (core's AppError takes only these), the web and the
 * CLI; the HTTP status of each lives in the api's error middleware. Kept free
 * of zod so that core can read it.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'INVALID_DURATION',
  'REASON_REQUIRED',
  'INVALID_DESTINATION',
  'DUPLICATE_MAPPING',
  'UNAUTHENTICATED',
  'CSRF_INVALID',
  'FORBIDDEN',
  'STEP_UP_REQUIRED',
  'NOT_ENTITLED',
  'NOT_FOUND',
  'IDEMPOTENT_REPLAY',
  'IDEMPOTENCY_KEY_IN_USE',
  'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'EXPORT_BUSY',
  /** The client went away before the answer (499, nginx's "client closed request"): logged, never seen by the client. */
  'CLIENT_GONE',
  'LOGIN_FAILED',
  'AUTHORIZATION_PENDING',
  'SLOW_DOWN',
  'EXPIRED_TOKEN',
  'ACCESS_DENIED',
  'INTERNAL',
  'AWS_STS_FAILED',
  'AWS_FEDERATION_FAILED',
  'DATABASE_UNAVAILABLE',
  'SHUTTING_DOWN',
  'BROKER_IDENTITY_UNKNOWN',
  /** The account has no control role (controlRoleArn), so the broker cannot call IAM there. */
  'CONTROL_ROLE_MISSING',
  /** IAM (or STS assuming the control role) refused, throttled, failed or timed out. */
  'AWS_IAM_FAILED',
  'MAPPINGS_MANAGED_BY_FILE',
  /** The IdP could not be asked (CLI token group re-check); nothing was decided. */
  'IDP_UNAVAILABLE',
  'ACCOUNT_IN_USE',
  /** An approval mapping and no open access window: file a request first (details.requestUrl). */
  'APPROVAL_REQUIRED',
  /** The access window has less than 15 minutes left: extend it instead. */
  'WINDOW_ENDING',
  'NO_APPROVAL_NEEDED',
  'SELF_APPROVAL',
  'NOT_APPROVER',
  'ALREADY_DECIDED',
  'ALREADY_APPROVED_BY_YOU',
  'REQUEST_NOT_ACTIVE',
  'BREAK_GLASS_NOT_ALLOWED',
  'REVIEW_CLOSED',
  /** Slack interaction: the signature is missing or does not verify. */
  'SLACK_SIGNATURE_INVALID',
  /** Slack interaction: X-Slack-Request-Timestamp is more than 5 minutes away. */
  'SLACK_REQUEST_STALE',
  /** Slack interaction: this signed request was received already. */
  'SLACK_REPLAY',
  /** Approving inside Slack is off (SLACK_APPROVE_IN_SLACK): approve on the request page. */
  'SLACK_APPROVAL_DISABLED',
  /** The Slack user has no email Rolegate knows (exactly one person who signed in). */
  'SLACK_USER_UNKNOWN',
  /** A grant that was denied or whose session already ended: nothing to revoke at AWS. */
  'GRANT_NOT_REVOCABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
