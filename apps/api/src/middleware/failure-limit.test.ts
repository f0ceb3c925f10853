import { describe, expect, it } from 'vitest';
import { createFailureLimiter } from './failure-limit.js';

describe('createFailureLimiter', () => {
  it('blocks a key after `limit` failures until its window ends; other keys are unaffected', () => {
    let t = 1000;
    const l = createFailureLimiter({ limit: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      expect(l.blockedFor('ip:a')).toBe(0);
      l.fail('ip:a');
    }
    expect(l.blockedFor('ip:a')).toBe(60_000);
    expect(l.blockedFor('ip:b')).toBe(0);
    t += 59_999;
    expect(l.blockedFor('ip:a')).toBe(1);
    t += 1;
    expect(l.blockedFor('ip:a')).toBe(0);
  });

  it('keeps at most maxKeys keys (memory stays bounded under a spray of addresses)', () => {
    const l = createFailureLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
    l.fail('a');
    l.fail('b');
    l.fail('c');
    expect(l.blockedFor('a')).toBe(0); // the oldest went
    expect(l.blockedFor('b')).toBeGreaterThan(0);
    expect(l.blockedFor('c')).toBeGreaterThan(0);
  });
});
