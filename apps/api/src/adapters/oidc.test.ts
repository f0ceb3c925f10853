import { describe, expect, it } from 'vitest';
import { emailFromClaims } from './oidc.js';

describe('emailFromClaims', () => {
  it('takes a verified email, lower-cased', () => {
    expect(emailFromClaims({ sub: 's', email: 'Alice@Example.com', email_verified: true })).toBe('alice@example.com');
  });

  // Attack: mallory sets her unverified email (or her preferred_username) to
  // ceo@example.com at an IdP that allows it, and is recorded as the CEO.
  it.each([[{ email_verified: false }], [{}], [{ email_verified: 'true' }], [{ email_verified: 1 }]])(
    'ignores an email not asserted verified (%j) and preferred_username unless configured',
    (marks) => {
      expect(emailFromClaims({ sub: 'sub-1', email: 'ceo@example.com', preferred_username: 'ceo@example.com', ...marks })).toBe('sub-1');
    },
  );

  it('uses the configured username claim when there is no verified email', () => {
    expect(emailFromClaims({ sub: 'sub-1', email: 'x@example.com', preferred_username: 'mallory' }, 'preferred_username')).toBe('mallory');
    expect(emailFromClaims({ sub: 'sub-1', preferred_username: '' }, 'preferred_username')).toBe('sub-1');
    expect(emailFromClaims({ sub: 'sub-1', email: 'a@example.com', email_verified: true, preferred_username: 'mallory' }, 'preferred_username')).toBe(
      'a@example.com',
    );
  });
});
