import { describe, expect, it } from 'vitest';
import {
  isAccountId,
  isPartition,
  isSessionDuration,
  isValidSessionName,
  MAX_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
  partitionOfRegion,
  PARTITIONS,
  SESSION_NAME_CHAR,
} from './index.js';

describe('account ids', () => {
  it.each(['123456789012', '000000000001'])('accepts %s', (id) => expect(isAccountId(id)).toBe(true));
  it.each(['12345678901', '1234567890123', '12345678901a', ' 123456789012', '123456789012\n', '١٢٣٤٥٦٧٨٩٠١٢', ''])('refuses %j', (id) =>
    expect(isAccountId(id)).toBe(false),
  );
});

describe('partitions', () => {
  it('knows the three partitions, exactly', () => {
    expect(PARTITIONS).toEqual(['aws', 'aws-us-gov', 'aws-cn']);
    expect(isPartition('aws-cn')).toBe(true);
    expect(isPartition('AWS')).toBe(false);
    expect(isPartition('aws-iso')).toBe(false);
  });

  it.each([
    ['eu-west-1', 'aws'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['cn-north-1', 'aws-cn'],
    ['us-east-1', 'aws'],
  ])('puts %s in %s', (region, partition) => expect(partitionOfRegion(region)).toBe(partition));
});

describe('session names', () => {
  it('accepts 2..64 characters of [\\w+=,.@-]', () => {
    expect(isValidSessionName('alice.smith+aws@example.com')).toBe(true);
    expect(isValidSessionName('ab')).toBe(true);
    expect(isValidSessionName('a'.repeat(64))).toBe(true);
  });

  it.each(['a', 'a'.repeat(65), 'bob smith', "o'brien", 'line\nbreak', 'jürgen', ''])('refuses %j', (name) => expect(isValidSessionName(name)).toBe(false));

  it('has one character rule that agrees with the whole-name rule', () => {
    for (let c = 0; c < 0x300; c += 1) {
      const ch = String.fromCharCode(c);
      expect(SESSION_NAME_CHAR.test(ch), `U+${c.toString(16)}`).toBe(isValidSessionName(ch + ch));
    }
  });
});

describe('session durations', () => {
  it('spans AWS 15 minutes to 12 hours, whole seconds only', () => {
    expect([MIN_SESSION_SECONDS, MAX_SESSION_SECONDS]).toEqual([900, 43200]);
    expect(isSessionDuration(900)).toBe(true);
    expect(isSessionDuration(43200)).toBe(true);
    expect(isSessionDuration(899)).toBe(false);
    expect(isSessionDuration(43201)).toBe(false);
    expect(isSessionDuration(3600.5)).toBe(false);
    expect(isSessionDuration(Number.NaN)).toBe(false);
  });
});
