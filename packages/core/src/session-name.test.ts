import { describe, expect, it } from 'vitest';
import { isValidSessionName, sessionNameFor } from './session-name.js';

const SAFE = /^[\w+=,.@-]{2,64}$/;

describe('sessionNameFor', () => {
  it('keeps an ordinary email as is', () => {
    expect(sessionNameFor('alice.smith+aws@example.com')).toBe('alice.smith+aws@example.com');
  });

  it('is deterministic', () => {
    const id = 'Bob Ünïcode <bob@example.com>';
    expect(sessionNameFor(id)).toBe(sessionNameFor(id));
    expect(sessionNameFor(id)).toBe('Bob--n-code--bob@example.com-');
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
    expect(name).toBe(expected);
    expect(name).toMatch(SAFE);
  });

  it('truncates long identities to 64 characters', () => {
    const email = `${'a'.repeat(100)}@example.com`;
    const name = sessionNameFor(email);
    expect(name).toHaveLength(64);
    expect(name).toBe(email.slice(0, 64));
  });

  it('truncates after replacement, counting a multi-unit character once', () => {
    const name = sessionNameFor('😀'.repeat(70));
    expect(name).toBe('-'.repeat(64));
  });

  it('pads identities shorter than 2 characters', () => {
    expect(sessionNameFor('a')).toBe('u-a');
    expect(sessionNameFor('')).toBe('u-');
    expect(sessionNameFor('\n')).toBe('u--');
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
