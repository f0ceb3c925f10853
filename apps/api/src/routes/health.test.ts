import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { healthRoutes } from './health.js';

async function readyz(deps: { dbUp: boolean; draining: boolean }) {
  const app = express().use(healthRoutes({ ping: async () => deps.dbUp, isDraining: () => deps.draining }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string } };
  } finally {
    server.close();
  }
}

describe('/readyz', () => {
  it('is ready only with a reachable database and while not shutting down', async () => {
    expect(await readyz({ dbUp: true, draining: false })).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect(await readyz({ dbUp: false, draining: false })).toMatchObject({ status: 503, body: { status: 'unavailable' } });
    expect(await readyz({ dbUp: true, draining: true })).toMatchObject({ status: 503, body: { status: 'draining' } });
  });
});
