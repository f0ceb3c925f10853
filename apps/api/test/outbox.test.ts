import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createRepositories, type Database } from '@rolegate/db';
import { createOutboxWorker } from '../src/notifications/outbox-worker.js';
import { createWebhookChannel } from '../src/notifications/webhook.js';
import { createLogger } from '../src/logger.js';
import { startStack, type Stack, testPerson } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// The durable outbox (issue 14): notifications written with the change,
// delivered by a worker on every replica against a receiver that fails,
// times out and answers 500 — retried, never lost, never sent twice at once.

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers] }
`;
const person = testPerson;

interface Hit {
  id: string;
  verified: boolean;
  status: number;
  body: { type: string; data: { requestId: string } };
}

/** A receiver that answers each delivery id's 1st attempt 500, 2nd by hanging past the sender's timeout (then 503), 3rd 200. */
async function startReceiver() {
  const hits: Hit[] = [];
  const tries = new Map<string, number>();
  const verifier = new Webhook(SECRET);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      let verified: boolean;
      try {
        verifier.verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      const status = n === 1 ? 500 : n === 2 ? 503 : 200;
      hits.push({ id, verified, status, body: JSON.parse(body) as Hit['body'] });
      const answer = () => {
        if (!res.destroyed) res.writeHead(status).end();
      };
      if (n === 2) setTimeout(answer, 1500);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let erin: TestBrowser;
let ada: TestBrowser;
let second: Database;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({
    mappingsYaml: MAPPINGS,
    extraUsers: [person('emma', ['engineers']), person('amy', ['prod-approvers'])],
    env: { NOTIFY_WEBHOOK_URLS: receiver.url, NOTIFY_WEBHOOK_SECRET: SECRET, NOTIFY_TIMEOUT_MS: '400' },
  });
  erin = await stack.signIn('emma');
  ada = await stack.signIn('amy');
  second = createDatabase({ url: stack.runtimeUrl, max: 4 });
});
afterAll(async () => {
  await second?.close().catch(() => {});
  await stack?.close();
  await receiver?.close();
});

const outboxRows = async () =>
  (
    await stack.sql.query<{ id: string; event_type: string; status: string; attempts: number; request_id: string }>(
      `SELECT id, event_type, status, attempts, request_id FROM notification_outbox ORDER BY created_at, id`,
    )
  ).rows;

describe('the outbox', () => {
  it('is written in the transaction of the change: a refused change writes nothing', async () => {
    const entitlementId = (await stack.mappingIds()).Deploy!;
    const res = await erin.post('/api/requests', { entitlementId, durationSeconds: 3600, reason: 'first' });
    expect(res.status).toBe(201);
    const id = res.json().request.id as string;
    expect((await outboxRows()).filter((r) => r.request_id === id).map((r) => r.event_type)).toEqual(['request.created']);
    const self = await erin.post(`/api/requests/${id}/approve`, {});
    expect(self.status).toBe(403);
    expect((await outboxRows()).filter((r) => r.request_id === id)).toHaveLength(1);
  });

  it('two replicas deliver every notification once each, through 500s and timeouts, signed, with a stable id', { timeout: 120_000 }, async () => {
    const entitlementId = (await stack.mappingIds()).Deploy!;
    for (let i = 0; i < 4; i++) {
      const id = (await erin.post('/api/requests', { entitlementId, durationSeconds: 3600, reason: `batch ${i}` })).json().request.id as string;
      expect((await ada.post(`/api/requests/${id}/${i % 2 === 0 ? 'approve' : 'deny'}`, {})).status).toBe(200);
      if (i % 2 === 0) await erin.post(`/api/requests/${id}/end`);
    }
    const rows = await outboxRows();
    expect(rows.length).toBeGreaterThanOrEqual(1 + 4 * 2 + 2);

    const log = createLogger({ level: 'silent' });
    const workerOn = (db: Database) =>
      createOutboxWorker({
        outbox: createRepositories(db).outbox,
        channels: { webhook: createWebhookChannel({ secret: SECRET, timeoutMs: 400 }) },
        log,
        maxAttempts: 10,
        leaseMs: 5_000,
        backoff: { baseMs: 50, maxMs: 200 },
        batch: 3,
      });
    const replicas = [workerOn(stack.database), workerOn(second)];
    for (const w of replicas) w.start(25);
    try {
      await expect.poll(async () => (await outboxRows()).every((r) => r.status === 'delivered'), { timeout: 90_000, interval: 200 }).toBe(true);
    } finally {
      for (const w of replicas) await w.stop();
    }

    const after = await outboxRows();
    const accepted = receiver.hits.filter((h) => h.status === 200);
    // Nothing lost: every row was accepted once, under its own id; nothing sent twice.
    expect(accepted.map((h) => h.id).sort()).toEqual(after.map((r) => r.id).sort());
    // Every attempt the database counted reached the receiver exactly once (no two replicas on one row).
    for (const r of after) {
      expect(r.attempts).toBe(3);
      expect(receiver.hits.filter((h) => h.id === r.id)).toHaveLength(3);
    }
    expect(receiver.hits.every((h) => h.verified)).toBe(true);
    const types = new Set(accepted.map((h) => h.body.type));
    expect([...types].sort()).toEqual(['request.approved', 'request.created', 'request.denied', 'request.ended']);
  });

  it('admins see the outbox and each delivery (the demo outbox page); others do not', async () => {
    const bob = await stack.signIn('bob');
    const res = await bob.get('/api/admin/outbox');
    expect(res.status).toBe(200);
    const items = res.json().items as { id: string; channel: string; target: string; status: string; attempts: number }[];
    const rows = await outboxRows();
    expect(items.map((i) => i.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(items.every((i) => i.channel === 'webhook' && i.target === receiver.url)).toBe(true);
    expect((await erin.get('/api/admin/outbox')).status).toBe(403);
  });

  it('the runtime role cannot delete outbox rows or rewrite what they say', async () => {
    const [row] = await outboxRows();
    const runtime = createDatabase({ url: stack.runtimeUrl, max: 1 });
    try {
      await expect(runtime.pool.query(`DELETE FROM notification_outbox WHERE id = $1`, [row!.id])).rejects.toThrow(/permission denied/);
      await expect(runtime.pool.query(`UPDATE notification_outbox SET payload = '{}' WHERE id = $1`, [row!.id])).rejects.toThrow(/permission denied/);
    } finally {
      await runtime.close();
    }
  });
});
