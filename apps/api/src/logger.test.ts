import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, requestLogger } from './logger.js';

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

/*
 * The access line skips redaction (it is built from fields that cannot hold a
 * secret); lines logged through req.log keep it. Both go to the same
 * destination, and the access line carries the request id.
 */
describe('requestLogger', () => {
  const lines: Record<string, unknown>[] = [];
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const log = createLogger({ level: 'info', destination });
    const app = express();
    app.use(requestLogger(log));
    app.get('/callback', (req, res) => {
      req.log.info({ headers: { cookie: req.headers.cookie }, query: { code: req.query.code } }, 'handler saw a secret');
      res.status(204).end();
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('writes one access line per request with its id and path only, and req.log lines stay redacted', async () => {
    const res = await fetch(`${base}/callback?code=SECRET-CODE&state=s`, { headers: { cookie: 'rolegate.sid=SECRET-COOKIE' } });
    expect(res.status).toBe(204);
    const reqId = res.headers.get('x-request-id');
    await new Promise((r) => setTimeout(r, 50));
    const access = lines.find((l) => l.msg === 'request completed');
    expect(access).toMatchObject({ reqId, req: { method: 'GET', path: '/callback' }, res: { statusCode: 204 }, service: 'rolegate' });
    const handler = lines.find((l) => l.msg === 'handler saw a secret');
    expect(handler).toMatchObject({ reqId, headers: { cookie: '[redacted]' }, query: { code: '[redacted]' } });
    expect(JSON.stringify(lines)).not.toMatch(/SECRET-(CODE|COOKIE)/);
  });
});
