import { describe, expect, it } from 'vitest';
import { checkSlackSignature, signSlackRequest } from './signature.js';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
const now = 1_800_000_000;

describe('checkSlackSignature', () => {
  it('accepts the signature Slack makes over the raw body within 5 minutes', () => {
    const signature = signSlackRequest(secret, now - 299, body);
    expect(checkSlackSignature({ secret, timestamp: String(now - 299), signature, rawBody: Buffer.from(body), nowSeconds: now })).toEqual({ ok: true });
  });

  it('refuses another secret, another body, another timestamp, and a missing or malformed header', () => {
    const signature = signSlackRequest(secret, now, body);
    const check = (over: Partial<Parameters<typeof checkSlackSignature>[0]>) =>
      checkSlackSignature({ secret, timestamp: String(now), signature, rawBody: Buffer.from(body), nowSeconds: now, ...over });
    expect(check({ secret: 'another-secret-of-the-same-size!' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(check({ rawBody: Buffer.from(`${body}x`) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(check({ timestamp: String(now - 1) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(check({ signature: signature.replace('v0=', 'v1=') })).toEqual({ ok: false, reason: 'missing' });
    expect(check({ timestamp: '12ab' })).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a timestamp more than 5 minutes old or ahead, even correctly signed', () => {
    for (const at of [now - 301, now + 301]) {
      const signature = signSlackRequest(secret, at, body);
      expect(checkSlackSignature({ secret, timestamp: String(at), signature, rawBody: Buffer.from(body), nowSeconds: now })).toEqual({
        ok: false,
        reason: 'stale',
      });
    }
  });
});
