import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from '@rolegate/core';
import { isConnectionError } from '@rolegate/db';
import type { Logger } from '../logger.js';

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
    if (appErr.status >= 500) {
      (req.log ?? log).error({ err: appErr.code === 'INTERNAL' ? err : undefined, code: appErr.code, path: req.path }, 'request failed');
    }
    if (res.headersSent) return;
    if (appErr.code === 'DATABASE_UNAVAILABLE') res.set('Retry-After', '5');
    res.status(appErr.status).json({
      error: { code: appErr.code, message: appErr.message, ...(appErr.details !== undefined ? { details: appErr.details } : {}) },
    });
  };
}

/** 404 for every route nobody claimed. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
