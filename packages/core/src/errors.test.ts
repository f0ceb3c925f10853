import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from './errors.js';

describe('AppError', () => {
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
