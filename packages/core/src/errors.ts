import type { ErrorCode } from '@rolegate/contract/error-codes';

export type { ErrorCode };

/**
 * The one error type of Rolegate: a stable code (one of the contract's
 * ERROR_CODES), a human message, optional details. The HTTP status of a code
 * is the api's business (its error middleware), not the domain's.
 */
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
}

/** True when `err` is an AppError (optionally with the given code). */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
