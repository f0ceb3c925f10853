import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture() {
  const lines: Record<string, any>[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(JSON.parse(chunk.toString()));
        cb();
      },
    }),
  });
  return { log, lines };
}

describe('log redaction', () => {
  // Regression: '*.code' was redacted to hide OAuth codes, which also wiped
  // every error's code (ECONNREFUSED, SQLSTATE, AppError codes) from the logs.
  it("keeps an error's code", () => {
    const { log, lines } = capture();
    log.warn({ err: Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }) }, 'database unreachable');
    log.error({ err: Object.assign(new Error('duplicate key'), { code: '23505' }), code: 'INTERNAL' }, 'request failed');
    expect(lines[0]!.err).toMatchObject({ type: 'Error', message: 'connect failed', code: 'ECONNREFUSED' });
    expect(lines[0]!.err.stack).toContain('connect failed');
    expect(lines[1]!.err.code).toBe('23505');
    expect(lines[1]!.code).toBe('INTERNAL');
  });

  it('still redacts sign-in codes and verifiers wherever a request body or query carries them', () => {
    const { log, lines } = capture();
    const secret = 'S3CR3T-code-0123456789';
    log.info({ body: { code: secret, codeVerifier: secret } }, 'a');
    log.info({ req: { body: { code: secret }, query: { code: secret } }, login: { deviceCode: secret } }, 'b');
    log.info({ query: { code: secret }, token: { code_verifier: secret, device_code: secret } }, 'c');
    expect(lines).toHaveLength(3);
    expect(JSON.stringify(lines)).not.toContain(secret);
    expect(lines[0]!.body).toEqual({ code: '[redacted]', codeVerifier: '[redacted]' });
  });
});
