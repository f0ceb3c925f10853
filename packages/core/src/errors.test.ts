import { describe, expect, it } from 'vitest';
import { AppError, ERROR_STATUS, isAppError, type ErrorCode } from './errors.js';

describe('AppError', () => {
  it.each([
    ['BAD_REQUEST', 400],
    ['VALIDATION_FAILED', 400],
    ['INVALID_JSON', 400],
    ['INVALID_DURATION', 400],
    ['REASON_REQUIRED', 400],
    ['INVALID_DESTINATION', 400],
    ['LOGIN_FAILED', 400],
    ['UNAUTHENTICATED', 401],
    ['CSRF_INVALID', 403],
    ['FORBIDDEN', 403],
    ['NOT_ENTITLED', 403],
    ['NOT_FOUND', 404],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['RATE_LIMITED', 429],
    ['INTERNAL', 500],
    ['AWS_STS_FAILED', 502],
    ['AWS_FEDERATION_FAILED', 502],
    ['DATABASE_UNAVAILABLE', 503],
  ] as const)('maps %s to HTTP %i', (code, status) => {
    expect(new AppError(code, 'x').status).toBe(status);
  });

  it('has a status for every code it declares', () => {
    for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
      const status = new AppError(code, 'x').status;
      expect(Number.isInteger(status) && status >= 400 && status < 600, code).toBe(true);
    }
  });

  it('is an Error carrying code, message, details and cause', () => {
    const cause = new Error('root');
    const err = new AppError('INVALID_DURATION', 'bad duration', { min: 900 }, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('AppError');
    expect(err.code).toBe('INVALID_DURATION');
    expect(err.message).toBe('bad duration');
    expect(err.details).toEqual({ min: 900 });
    expect(err.cause).toBe(cause);
  });
});

describe('isAppError', () => {
  it('recognises AppErrors, optionally by code', () => {
    const err = new AppError('NOT_ENTITLED', 'no');
    expect(isAppError(err)).toBe(true);
    expect(isAppError(err, 'NOT_ENTITLED')).toBe(true);
    expect(isAppError(err, 'FORBIDDEN')).toBe(false);
  });

  it('rejects plain errors and look-alike object literals', () => {
    expect(isAppError(new Error('NOT_ENTITLED'))).toBe(false);
    expect(isAppError({ name: 'AppError', code: 'NOT_ENTITLED', status: 403 })).toBe(false);
    expect(isAppError(null)).toBe(false);
  });
});
