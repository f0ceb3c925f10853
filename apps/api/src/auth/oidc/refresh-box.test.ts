import { describe, expect, it } from 'vitest';
import { openRefreshToken, refreshTokenKey, sealRefreshToken } from './refresh-box.js';

describe('refresh tokens sealed at rest', () => {
  const key = refreshTokenKey('a'.repeat(32));
  it('round-trips, and the sealed form does not contain the token', () => {
    const box = sealRefreshToken(key, 'rt-secret-value');
    expect(box).not.toContain('rt-secret-value');
    expect(openRefreshToken(key, box)).toBe('rt-secret-value');
  });
  // A database writer must not be able to plant or alter a refresh token.
  it('refuses another key, an altered ciphertext and garbage', () => {
    const box = sealRefreshToken(key, 'rt-secret-value');
    expect(openRefreshToken(refreshTokenKey('b'.repeat(32)), box)).toBeNull();
    const [v, iv, ct, tag] = box.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    expect(openRefreshToken(key, [v, iv, flipped.toString('base64url'), tag].join('.'))).toBeNull();
    expect(openRefreshToken(key, 'plain-refresh-token')).toBeNull();
  });
});
