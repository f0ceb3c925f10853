import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bearerMayUse,
  bearerTokenFrom,
  cliLabel,
  cliTokenState,
  hashSecret,
  loopbackRedirect,
  newCliToken,
  newUserCode,
  normalizeUserCode,
  parseLoopbackParams,
  pkceMatches,
} from './fns.js';

describe('CLI token scope', () => {
  it('allows only entitlements and grants', () => {
    expect(bearerMayUse('GET', '/entitlements')).toBe(true);
    expect(bearerMayUse('GET', '/grants')).toBe(true);
    expect(bearerMayUse('POST', '/grants')).toBe(true);
    expect(bearerMayUse('POST', '/grants/')).toBe(true);
    // credential_process asks whether its cached grant still holds; a token may not revoke (a session may).
    expect(bearerMayUse('GET', '/grants/0b9c7f2e-1c1a-4e0e-9a51-2f0e8d6b1a11/status')).toBe(true);
    for (const [m, p] of [
      ['POST', '/grants/x/revoke'],
      ['POST', '/grants/x/status'],
      ['GET', '/grants/x/status/more'],
      ['GET', '/me'],
      ['GET', '/admin/mappings'],
      ['GET', '/audit/grants'],
      ['DELETE', '/grants'],
      ['POST', '/entitlements'],
      ['GET', '/grants/x'],
      ['GET', '/cli/tokens'],
      ['GET', '/Grants'],
    ]) {
      expect(bearerMayUse(m!, p!), `${m} ${p}`).toBe(false);
    }
  });

  it('reads only well-formed bearer tokens of ours', () => {
    const t = newCliToken();
    expect(bearerTokenFrom(undefined)).toBeNull();
    expect(bearerTokenFrom(`Bearer ${t}`)).toBe(t);
    expect(bearerTokenFrom(`Basic ${t}`)).toBe('malformed');
    expect(bearerTokenFrom('Bearer rgcli_short')).toBe('malformed');
    expect(bearerTokenFrom(`Bearer ${t} extra`)).toBe('malformed');
  });

  it('refuses revoked and expired tokens', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(cliTokenState({ revokedAt: null, expiresAt: new Date(now.getTime() + 1) }, now)).toBe('active');
    expect(cliTokenState({ revokedAt: null, expiresAt: now }, now)).toBe('expired');
    expect(cliTokenState({ revokedAt: now, expiresAt: new Date(now.getTime() + 1000) }, now)).toBe('revoked');
  });

  it('hashes secrets (never stores them)', () => {
    const t = newCliToken();
    expect(hashSecret(t)).not.toContain(t.slice(6));
    expect(hashSecret(t)).toBe(hashSecret(t));
  });
});

describe('loopback login', () => {
  const verifier = 'v'.repeat(43);
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  it('checks the PKCE verifier against the S256 challenge', () => {
    expect(pkceMatches(verifier, challenge)).toBe(true);
    expect(pkceMatches('w'.repeat(43), challenge)).toBe(false);
    expect(pkceMatches(verifier, null)).toBe(false);
    expect(pkceMatches(challenge, challenge)).toBe(false);
    expect(pkceMatches('short', challenge)).toBe(false);
  });

  it('always redirects to 127.0.0.1 on the given port', () => {
    expect(loopbackRedirect(5000, 's', 'c&x=1')).toBe('http://127.0.0.1:5000/callback?state=s&code=c%26x%3D1');
  });

  it('validates port, state and challenge', () => {
    const ok = { port: '5000', state: 'a'.repeat(16), code_challenge: challenge };
    expect(parseLoopbackParams(ok)).toMatchObject({ port: 5000, label: '' });
    for (const bad of [{ port: '80' }, { port: '70000' }, { port: '5000.5' }, { state: 'a'.repeat(15) }, { state: 'a b'.repeat(8) }, { code_challenge: 'x' }]) {
      expect(() => parseLoopbackParams({ ...ok, ...bad }), JSON.stringify(bad)).toThrow(/must/);
    }
  });

  it('keeps labels printable and short', () => {
    expect(cliLabel('laptop\u0000\n<b>')).toBe('laptop<b>');
    expect(cliLabel('x'.repeat(100))).toHaveLength(64);
    expect(cliLabel(42)).toBe('');
  });
});

describe('device user codes', () => {
  it('normalises what people type and refuses anything else', () => {
    const code = newUserCode();
    expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(normalizeUserCode(code.toLowerCase().replace('-', ' '))).toBe(code);
    for (const bad of ['AAAA-AAAA', 'BCDF-GHJ', 'BCDF-GHJKL', 42, 'B'.repeat(40)]) expect(normalizeUserCode(bad)).toBeNull();
  });
});
