import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCode } from '@rolegate/contract';
import { AppError } from '@rolegate/core';
import { HTTP_STATUS, httpStatusOf, toAppError } from './errors.js';

describe('HTTP_STATUS', () => {
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
    ['APPROVAL_REQUIRED', 403],
    ['SELF_APPROVAL', 403],
    ['NOT_APPROVER', 403],
    ['ALREADY_DECIDED', 409],
    ['ALREADY_APPROVED_BY_YOU', 409],
    ['NO_APPROVAL_NEEDED', 409],
    ['IDEMPOTENT_REPLAY', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['IDEMPOTENCY_KEY_REUSED', 422],
    ['RATE_LIMITED', 429],
    ['INTERNAL', 500],
    ['AWS_STS_FAILED', 502],
    ['AWS_FEDERATION_FAILED', 502],
    ['DATABASE_UNAVAILABLE', 503],
  ] as const)('answers %s with HTTP %i', (code, status) => {
    expect(httpStatusOf(new AppError(code, 'x'))).toBe(status);
  });

  it('has exactly the contract’s codes, each with an error status', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) expect(HTTP_STATUS[code] >= 400 && HTTP_STATUS[code] < 600, code).toBe(true);
  });

  it('the contract’s zod enum is the same list', () => {
    expect(errorCode.options).toEqual([...ERROR_CODES]);
  });
});

describe('toAppError', () => {
  it('keeps an AppError, and turns anything else into a coded one', () => {
    const own = new AppError('NOT_ENTITLED', 'no');
    expect(toAppError(own)).toBe(own);
    expect(toAppError({ type: 'entity.parse.failed' }).code).toBe('INVALID_JSON');
    expect(toAppError({ type: 'entity.too.large' }).code).toBe('PAYLOAD_TOO_LARGE');
    expect(toAppError({ code: 'EBADCSRFTOKEN' }).code).toBe('CSRF_INVALID');
    expect(toAppError({ status: 400 }).code).toBe('BAD_REQUEST');
    expect(toAppError(new Error('boom')).code).toBe('INTERNAL');
  });
});
