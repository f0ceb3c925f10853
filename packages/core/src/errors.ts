/** Stable error codes; the API maps each to one HTTP status in one place. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_DURATION: 400,
  REASON_REQUIRED: 400,
  INVALID_DESTINATION: 400,
  DUPLICATE_MAPPING: 400,
  UNAUTHENTICATED: 401,
  CSRF_INVALID: 403,
  FORBIDDEN: 403,
  STEP_UP_REQUIRED: 403,
  NOT_ENTITLED: 403,
  NOT_FOUND: 404,
  IDEMPOTENT_REPLAY: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  EXPORT_BUSY: 429,
  /** nginx's "client closed request": logged, never seen by the client. */
  CLIENT_GONE: 499,
  LOGIN_FAILED: 400,
  AUTHORIZATION_PENDING: 400,
  SLOW_DOWN: 400,
  EXPIRED_TOKEN: 400,
  ACCESS_DENIED: 400,
  INTERNAL: 500,
  AWS_STS_FAILED: 502,
  AWS_FEDERATION_FAILED: 502,
  DATABASE_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  BROKER_IDENTITY_UNKNOWN: 503,
  MAPPINGS_MANAGED_BY_FILE: 409,
  /** The IdP could not be asked (CLI token group re-check); nothing was decided. */
  IDP_UNAVAILABLE: 503,
  ACCOUNT_IN_USE: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type of Rolegate: a stable code, a human message, optional details. */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** True when `err` is an AppError (optionally with the given code). */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
