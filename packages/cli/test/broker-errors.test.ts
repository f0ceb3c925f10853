import { describe, expect, it } from 'vitest';
import { brokerError } from '../src/errors.js';

describe('brokerError', () => {
  it('names `rolegate login` once when the broker already says to run it', () => {
    const err = brokerError(401, { error: { code: 'UNAUTHENTICATED', message: 'The CLI token was revoked; run `rolegate login`' } });
    expect(err.message.match(/rolegate login/g)).toHaveLength(1);
    expect(err.message).toContain('The CLI token was revoked');
  });

  it('adds the next step when the broker does not give one', () => {
    const err = brokerError(401, { error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } });
    expect(err.message).toBe('Your CLI token has expired or was revoked (Sign in first). Run `rolegate login`.');
  });
});
