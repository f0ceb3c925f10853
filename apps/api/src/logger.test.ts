import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, requestLogger } from './logger.js';

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
