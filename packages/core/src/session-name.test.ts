import { describe, expect, it } from 'vitest';
import { isValidSessionName } from '@rolegate/aws-names';
import { sessionNameFor } from './session-name.js';

const SAFE = /^[\w+=,.@-]{2,64}$/;

describe('sessionNameFor', () => {
  it('keeps an ordinary email as is', () => {
    expect(sessionNameFor('alice.smith+aws@example.com')).toBe('alice.smith+aws@example.com');
  });

  it('is deterministic', () => {
    const id = 'Bob Ünïcode <bob@example.com>';
    expect(sessionNameFor(id)).toBe(sessionNameFor(id));
    expect(sessionNameFor(id)).toMatch(/^Bob--n-code--bob@example\.com--[0-9a-f]{12}$/);
  });

  // Two people must never share a SourceIdentity: CloudTrail would show one
  // person, and a revocation by SourceIdentity would cut off both.
  it.each([
    ["o'brien@example.com", 'o-brien@example.com'],
    ['jürgen@example.com', 'jörgen@example.com'],
    [`${'a'.repeat(64)}1@example.com`, `${'a'.repeat(64)}2@example.com`],
  ])('does not let %j and %j collide', (a, b) => {
    expect(sessionNameFor(a)).not.toBe(sessionNameFor(b));
    expect(sessionNameFor(a)).toMatch(SAFE);
    expect(sessionNameFor(b)).toMatch(SAFE);
  });

  it('hashes an already valid identity that imitates a disambiguated name', () => {
    const victim = sessionNameFor("o'brien@example.com");
    // mallory registers the email that equals the victim's session name
    expect(sessionNameFor(victim)).not.toBe(victim);
    expect(sessionNameFor(victim)).toMatch(SAFE);
  });

  it.each([
    ['alice\r\n@example.com', 'alice--@example.com'],
    ['alice\n[INFO] forged', 'alice--INFO--forged'],
    ['\u001b[31mred', '--31mred'],
    ['john doe@example.com', 'john-doe@example.com'],
    ['aws:admin', 'aws-admin'],
    ['josé@example.com', 'jos-@example.com'],
    ['😀@example.com', '-@example.com'],
    ['a/b\\c;d"e\'f<g>', 'a-b-c-d-e-f-g-'],
  ])('replaces refused characters in %j', (input, expected) => {
    const name = sessionNameFor(input);
    expect(name.slice(0, -13)).toBe(expected.slice(0, 64 - 13));
    expect(name).toMatch(/-[0-9a-f]{12}$/);
    expect(name).toMatch(SAFE);
  });

  it('truncates long identities to 64 characters', () => {
    const email = `${'a'.repeat(100)}@example.com`;
    const name = sessionNameFor(email);
    expect(name).toHaveLength(64);
    expect(name.startsWith(email.slice(0, 51))).toBe(true);
  });

  it('truncates after replacement, counting a multi-unit character once', () => {
    const name = sessionNameFor('😀'.repeat(70));
    expect(name).toMatch(/^-{52}[0-9a-f]{12}$/);
  });

  it('pads identities shorter than 2 characters', () => {
    expect(sessionNameFor('a')).toMatch(/^a-[0-9a-f]{12}$/);
    expect(sessionNameFor('')).toMatch(/^-[0-9a-f]{12}$/);
    expect(sessionNameFor('\n')).toMatch(/^--[0-9a-f]{12}$/);
    for (const id of ['a', '', '\n', 'é']) expect(sessionNameFor(id)).toMatch(SAFE);
  });

  it('always produces a valid session name', () => {
    const inputs = ['x', 'ab', 'a'.repeat(64), 'a'.repeat(65), '\r\n\t\u0000', '\u202eevil', 'a:b:c', ' ', 'x'.repeat(1000)];
    for (const id of inputs) {
      const name = sessionNameFor(id);
      expect(name, JSON.stringify(id)).toMatch(SAFE);
      expect(isValidSessionName(name)).toBe(true);
    }
  });
});

describe('isValidSessionName', () => {
  it.each([['ab'], ['alice@example.com'], ['a+b=c,d.e@f-g_h'], ['a'.repeat(64)]])('accepts %j', (v) => {
    expect(isValidSessionName(v)).toBe(true);
  });

  it.each([[''], ['a'], ['a'.repeat(65)], ['a b'], ['a:b'], ['ab\n'], ['\nab'], ['josé'], ['a/b']])('rejects %j', (v) => {
    expect(isValidSessionName(v)).toBe(false);
  });
});
