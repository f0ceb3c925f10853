import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError, type ErrorCode } from '@rolegate/core';
import { isConnectionError } from '@rolegate/db';
import type { Logger } from '../logger.js';

/**
 * The HTTP status of every error code, in one place. A Record over the
 * contract's ErrorCode: a code added there without a status here does not
 * compile.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_DURATION: 400,
  REASON_REQUIRED: 400,
  INVALID_DESTINATION: 400,
  DUPLICATE_MAPPING: 400,
  LOGIN_FAILED: 400,
  AUTHORIZATION_PENDING: 400,
  SLOW_DOWN: 400,
  EXPIRED_TOKEN: 400,
  ACCESS_DENIED: 400,
  UNAUTHENTICATED: 401,
  CSRF_INVALID: 403,
  FORBIDDEN: 403,
  STEP_UP_REQUIRED: 403,
  NOT_ENTITLED: 403,
  APPROVAL_REQUIRED: 403,
  SELF_APPROVAL: 403,
  SLACK_SIGNATURE_INVALID: 401,
  SLACK_REQUEST_STALE: 401,
  SLACK_REPLAY: 401,
  SLACK_APPROVAL_DISABLED: 403,
  SLACK_USER_UNKNOWN: 403,
  NOT_APPROVER: 403,
  BREAK_GLASS_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  IDEMPOTENT_REPLAY: 409,
  IDEMPOTENCY_KEY_IN_USE: 409,
  MAPPINGS_MANAGED_BY_FILE: 409,
  ACCOUNT_IN_USE: 409,
  WINDOW_ENDING: 409,
  NO_APPROVAL_NEEDED: 409,
  ALREADY_DECIDED: 409,
  ALREADY_APPROVED_BY_YOU: 409,
  REQUEST_NOT_ACTIVE: 409,
  REVIEW_CLOSED: 409,
  GRANT_NOT_REVOCABLE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  EXPORT_BUSY: 429,
  CLIENT_GONE: 499,
  INTERNAL: 500,
  AWS_STS_FAILED: 502,
  AWS_FEDERATION_FAILED: 502,
  DATABASE_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  BROKER_IDENTITY_UNKNOWN: 503,
  CONTROL_ROLE_MISSING: 409,
  AWS_IAM_FAILED: 502,
  IDP_UNAVAILABLE: 503,
});

/** The HTTP status an AppError is answered with. */
export function httpStatusOf(err: AppError): number {
  return HTTP_STATUS[err.code];
}

/** Turns anything thrown into an AppError with a stable code. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const e = err as { type?: string; code?: string; status?: number; statusCode?: number };
  if (e?.type === 'entity.parse.failed') return new AppError('INVALID_JSON', 'The request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding');
  }
  if (e?.code === 'EBADCSRFTOKEN') return new AppError('CSRF_INVALID', 'Missing or invalid CSRF token');
  if (isConnectionError(err)) return new AppError('DATABASE_UNAVAILABLE', 'The database is unavailable; try again shortly');
  if ((e?.status ?? e?.statusCode ?? 500) < 500 && (e?.status ?? e?.statusCode)) {
    return new AppError('BAD_REQUEST', 'The request could not be processed');
  }
  return new AppError('INTERNAL', 'Internal error');
}

/** The one place where errors become HTTP responses: `{ error: { code, message } }`. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appErr = toAppError(err);
    const status = httpStatusOf(appErr);
    if (status >= 500) {
      (req.log ?? log).error({ err: appErr.code === 'INTERNAL' ? err : undefined, code: appErr.code, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    if (appErr.code === 'DATABASE_UNAVAILABLE') res.set('Retry-After', '5');
    res.status(status).json({
      error: { code: appErr.code, message: appErr.message, ...(appErr.details !== undefined ? { details: appErr.details } : {}) },
    });
  };
}

/** 404 for every route nobody claimed. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
