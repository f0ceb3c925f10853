import { describe, expect, it } from 'vitest';
import { resolveDuration } from './durations.js';

function durationError(fn: () => unknown) {
  expect(fn).toThrow(expect.objectContaining({ name: 'AppError', code: 'INVALID_DURATION' }));
}

describe('resolveDuration', () => {
  it('defaults to 3600 seconds', () => {
    expect(resolveDuration(undefined, 43200)).toBe(3600);
  });

  it('defaults to the mapping maximum when that is below 3600', () => {
    expect(resolveDuration(undefined, 1800)).toBe(1800);
  });

  it('accepts exactly 900 and exactly the mapping maximum', () => {
    expect(resolveDuration(900, 7200)).toBe(900);
    expect(resolveDuration(7200, 7200)).toBe(7200);
    expect(resolveDuration(43200, 43200)).toBe(43200);
  });

  it('returns the requested value unchanged (never raised or lowered)', () => {
    expect(resolveDuration(1234, 43200)).toBe(1234);
  });

  it.each([899, 0, -3600, 43201])('rejects %d with INVALID_DURATION', (d) => {
    durationError(() => resolveDuration(d, 43200));
  });

  it('rejects anything above the mapping maximum', () => {
    durationError(() => resolveDuration(7201, 7200));
  });

  it('never goes above 43200 even when the mapping says more', () => {
    durationError(() => resolveDuration(43201, 86400));
    expect(resolveDuration(undefined, 86400)).toBe(3600);
  });

  it.each([3600.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('rejects non-integer %d', (d) => {
    durationError(() => resolveDuration(d, 43200));
  });

  it('rejects a numeric string smuggled past the type system', () => {
    durationError(() => resolveDuration('3600' as unknown as number, 43200));
  });

  it('caps role-chained sessions at 3600', () => {
    durationError(() => resolveDuration(7200, 43200, { roleChained: true }));
    durationError(() => resolveDuration(3601, 43200, { roleChained: true }));
    expect(resolveDuration(3600, 43200, { roleChained: true })).toBe(3600);
    expect(resolveDuration(7200, 43200, { roleChained: false })).toBe(7200);
    expect(resolveDuration(7200, 43200)).toBe(7200);
  });

  it('defaults to at most 3600 when role-chained', () => {
    expect(resolveDuration(undefined, 43200, { roleChained: true })).toBe(3600);
    expect(resolveDuration(undefined, 1800, { roleChained: true })).toBe(1800);
  });

  it('reports the bounds in the error details', () => {
    expect(() => resolveDuration(7200, 43200, { roleChained: true })).toThrow(
      expect.objectContaining({ code: 'INVALID_DURATION', details: { min: 900, max: 3600 } }),
    );
  });
});
