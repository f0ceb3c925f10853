import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { errorHandler } from '../middleware/errors.js';
import { createLogger } from '../logger.js';
import { createMetrics, metricsHandler } from './metrics.js';

async function scrape(token: string | undefined, openWithoutToken: boolean, authorization?: string) {
  const app = express()
    .get('/metrics', metricsHandler(createMetrics({ defaultMetrics: false }), token, openWithoutToken))
    .use(errorHandler(createLogger({ level: 'silent' })));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, authorization ? { headers: { authorization } } : {});
    return { status: res.status, text: await res.text() };
  } finally {
    server.close();
  }
}

describe('metricsHandler', () => {
  // Attack: an open /metrics tells anyone who reaches the port who is active and how much.
  it('is closed (404) without METRICS_TOKEN outside the demo, whatever the request carries', async () => {
    for (const auth of [undefined, 'Bearer anything-at-all-0123456789']) {
      const res = await scrape(undefined, false, auth);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('rolegate_');
    }
  });

  it('is open in the loopback demo, and needs the bearer token once one is set', async () => {
    expect((await scrape(undefined, true)).status).toBe(200);
    const token = 't'.repeat(32);
    expect((await scrape(token, true)).status).toBe(401);
    expect((await scrape(token, false, `Bearer ${token}`)).status).toBe(200);
  });
});
