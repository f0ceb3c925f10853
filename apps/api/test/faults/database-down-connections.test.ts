import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import type { TestBrowser } from '../support/http-client.js';

let stack: Stack;
let alice: TestBrowser;

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.signIn('alice');
});
afterAll(async () => {
  stack.proxy.restore();
  await stack?.close();
});

/** One request on a shared keep-alive agent; resolves with the status, the body and whether the socket was reused. */
function get(agent: http.Agent, path: string, cookie: string): Promise<{ status: number; body: string; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${stack.baseUrl}${path}`, { agent, headers: { cookie, accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
    });
    req.on('error', (e) => reject(new Error(`${path}: ${e.message}`)));
  });
}

// Regression: while Postgres was down each signed-in request got its 503,
// then the server reset the keep-alive socket and printed a raw stack trace:
// clients saw 26–200 resets per outage.
describe('requests while the database is down', () => {
  it('answer 503 JSON on a kept-alive connection: no resets, no raw stack traces', { timeout: 60_000 }, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const cookie = alice.jar.header()!;
    // Make sure the session is not served from memory: every request must reach the database.
    await stack.sql.query(`SELECT pg_notify('rolegate_sessions', '*')`);
    stack.proxy.cut();
    const results = [];
    try {
      for (let i = 0; i < 12; i++) {
        for (const path of ['/api/me', '/api/entitlements', '/api/grants']) results.push(await get(agent, path, cookie));
      }
    } finally {
      stack.proxy.restore();
      agent.destroy();
    }
    for (const r of results) {
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body).error.code).toBe('DATABASE_UNAVAILABLE');
    }
    // Every request after the first travelled on the same socket: none was reset.
    expect(results.slice(1).every((r) => r.reused)).toBe(true);
    expect(stack.logLines.join('')).not.toMatch(/^\s+at /m);
    // And the person is still signed in once the database is back.
    await expect.poll(async () => (await alice.get('/api/me')).status, { timeout: 10_000, interval: 300 }).toBe(200);
  });
});
