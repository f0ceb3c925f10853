import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to.js';

describe('safeReturnTo', () => {
  it.each([['/'], ['/portal'], ['/portal?x=1#y'], ['/grants/abc-123?tab=cli'], ['/a%20b']])('keeps same-origin path %j', (v) => {
    expect(safeReturnTo(v)).toBe(v);
  });

  it('keeps a path with encoded slashes but never returns a protocol-relative path', () => {
    for (const v of ['/%2F%2Fevil.com', '/%5Cevil.com', '/%2f%2fevil.com']) {
      const out = safeReturnTo(v);
      expect(out.startsWith('/')).toBe(true);
      expect(out.startsWith('//')).toBe(false);
      expect(out.startsWith('/\\')).toBe(false);
    }
  });

  it.each([
    ['//evil.com'],
    ['///evil.com'],
    ['/\\evil.com'],
    ['\\\\evil.com'],
    ['https:evil.com'],
    ['https://evil.com'],
    ['http://rolegate.invalid/portal'],
    ['%2F%2Fevil.com'],
    ['/%09/evil.com'],
    ['/\t/evil.com'],
    ['/\\t/evil.com'],
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['/a%0d%0aSet-Cookie:x'],
    ['/a%0D%0ASet-Cookie:x'],
    ['/a\r\nSet-Cookie: x=1'],
    ['/a\nb'],
    ['/a\u0000b'],
    ['/%E0%A4%A'],
    ['portal'],
    [''],
    ['/' + 'a'.repeat(2048)],
  ])('falls back to "/" for %j', (v) => {
    expect(safeReturnTo(v)).toBe('/');
  });

  // Regression: dot segments collapse into "//evil.com" once the URL is
  // normalised, which a browser reads as protocol-relative (open redirect).
  it.each([['/.//evil.com'], ['/a/..//evil.com'], ['/%2e//evil.com'], ['/%2E%2E//evil.com'], ['/x/./..//evil.com']])(
    'does not turn %j into a protocol-relative URL',
    (v) => {
      const out = safeReturnTo(v);
      expect(out.startsWith('//')).toBe(false);
      expect(out.startsWith('/\\')).toBe(false);
      expect(new URL(out, 'https://rolegate.example').origin).toBe('https://rolegate.example');
    },
  );

  it('accepts a path of exactly 2048 characters', () => {
    const v = '/' + 'a'.repeat(2047);
    expect(safeReturnTo(v)).toBe(v);
  });

  it.each([[undefined], [null], [42], [['/portal']], [{ toString: () => '/portal' }], [true]])('falls back to "/" for non-string %j', (v) => {
    expect(safeReturnTo(v)).toBe('/');
  });

  it('always yields a same-origin path', () => {
    const inputs = ['/portal', '//evil.com', '/.//evil.com', 'https://evil.com', '/%2F%2Fevil.com', '/../evil.com', '/x/../../y'];
    for (const v of inputs) {
      const out = safeReturnTo(v);
      expect(new URL(out, 'https://rolegate.example').origin, v).toBe('https://rolegate.example');
      expect(out.startsWith('//'), v).toBe(false);
    }
  });
});
