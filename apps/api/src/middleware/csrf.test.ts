import { describe, expect, it } from 'vitest';
import { isCrossOriginWrite } from './csrf.js';

const ORIGIN = 'https://rolegate.example.com';

describe('isCrossOriginWrite', () => {
  // Regression: Chromium and Firefox post our no-referrer forms with
  // `Origin: null` and `Sec-Fetch-Site: same-origin`; refusing them made
  // `rolegate login` end on a raw CSRF_INVALID page.
  it('accepts a same-origin form post whose Origin is null', () => {
    expect(isCrossOriginWrite('POST', { origin: 'null', secFetchSite: 'same-origin' }, ORIGIN)).toBe(false);
  });

  it('refuses cross-site and same-site (sibling subdomain) writes whatever Origin says', () => {
    expect(isCrossOriginWrite('POST', { origin: ORIGIN, secFetchSite: 'cross-site' }, ORIGIN)).toBe(true);
    expect(isCrossOriginWrite('POST', { origin: 'null', secFetchSite: 'same-site' }, ORIGIN)).toBe(true);
  });

  it('without fetch metadata, refuses a foreign or null Origin (sandboxed frames, data: URLs)', () => {
    expect(isCrossOriginWrite('POST', { origin: 'https://evil.example' }, ORIGIN)).toBe(true);
    expect(isCrossOriginWrite('POST', { origin: 'null' }, ORIGIN)).toBe(true);
    expect(isCrossOriginWrite('POST', { origin: 'null', secFetchSite: 'none' }, ORIGIN)).toBe(true);
    expect(isCrossOriginWrite('POST', { origin: ORIGIN }, ORIGIN)).toBe(false);
    expect(isCrossOriginWrite('POST', {}, ORIGIN)).toBe(false); // the CLI and curl: the token decides
    expect(isCrossOriginWrite('GET', { origin: 'https://evil.example', secFetchSite: 'cross-site' }, ORIGIN)).toBe(false);
  });
});
