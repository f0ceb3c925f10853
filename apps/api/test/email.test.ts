import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createRepositories, type Database } from '@rolegate/db';
import { createEmailChannel } from '../src/notifications/email.js';
import { createOutboxWorker } from '../src/notifications/outbox-worker.js';
import { createLogger } from '../src/logger.js';
import { startStack, type Stack, testPerson } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// The email channel (issue 14): notifications delivered over SMTP by the
// outbox worker to a real SMTP server running in this process (smtp-server),
// parsed back with mailparser.

const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers] }
`;
const FROM = 'Rolegate <rolegate@example.com>';
const TO = 'prod-approvers@example.com,security@example.com';

interface Received {
  messageId: string;
  outcome: 'accepted' | 'refused';
  mail: ParsedMail;
  rcpt: string[];
}

/**
 * An SMTP server; `refuse(n)` says how it answers the n-th attempt of one
 * Message-ID (a 4xx or 5xx code, or nothing to accept it).
 */
async function startSmtp(refuse: (attempt: number) => number | null = () => null, port = 0) {
  const received: Received[] = [];
  const tries = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      void simpleParser(stream).then((mail) => {
        const messageId = mail.messageId ?? '';
        const n = (tries.get(messageId) ?? 0) + 1;
        tries.set(messageId, n);
        const code = refuse(n);
        received.push({ messageId, outcome: code ? 'refused' : 'accepted', mail, rcpt: session.envelope.rcptTo.map((r) => r.address) });
        if (!code) return callback();
        const err = Object.assign(new Error(code >= 500 ? 'Message rejected' : 'Try again later'), { responseCode: code });
        callback(err);
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    port: address.port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let stack: Stack;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let erin: TestBrowser;
let ada: TestBrowser;
let second: Database;
const log = createLogger({ level: 'silent' });

// The server refuses each message's first attempt with a 451 and its second with a 554, and accepts the third.
beforeAll(async () => {
  smtp = await startSmtp((n) => (n === 1 ? 451 : n === 2 ? 554 : null));
  stack = await startStack({
    mappingsYaml: MAPPINGS,
    extraUsers: [testPerson('emma', ['engineers']), testPerson('amy', ['prod-approvers'])],
    env: { NOTIFY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, NOTIFY_EMAIL_FROM: FROM, NOTIFY_EMAIL_TO: TO },
  });
  erin = await stack.signIn('emma');
  ada = await stack.signIn('amy');
  second = createDatabase({ url: stack.runtimeUrl, max: 4 });
});
afterAll(async () => {
  await second?.close().catch(() => {});
  await stack?.close();
  await smtp?.close();
});

const outboxRows = async (where = `channel = 'email'`) =>
  (
    await stack.sql.query<{ id: string; event_type: string; status: string; attempts: number; request_id: string; target: string; last_error: string | null }>(
      `SELECT id, event_type, status, attempts, request_id, target, last_error FROM notification_outbox WHERE ${where} ORDER BY created_at, id`,
    )
  ).rows;

const workerOn = (db: Database, port: number) =>
  createOutboxWorker({
    outbox: createRepositories(db).outbox,
    channels: { email: createEmailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM, timeoutMs: 2000 }) },
    log,
    maxAttempts: 10,
    leaseMs: 10_000,
    backoff: { baseMs: 50, maxMs: 200 },
    batch: 3,
  });

async function deliverAll(workers: ReturnType<typeof workerOn>[]) {
  for (const w of workers) w.start(25);
  try {
    await expect.poll(async () => (await outboxRows()).every((r) => r.status === 'delivered'), { timeout: 60_000, interval: 100 }).toBe(true);
  } finally {
    for (const w of workers) await w.stop();
  }
}

describe('the email channel', () => {
  let requestId: string;

  it('mails the request to the configured recipients, with every fact, escaped HTML, the review link and the delivery id as Message-ID', async () => {
    const entitlementId = (await stack.mappingIds()).Deploy!;
    const res = await erin.post('/api/requests', { entitlementId, durationSeconds: 5400, reason: 'hotfix <script>alert(1)</script>\nBcc: evil@example.com' });
    expect(res.status).toBe(201);
    requestId = res.json().request.id as string;
    const [row] = (await outboxRows()).filter((r) => r.request_id === requestId);
    expect(row).toMatchObject({ event_type: 'request.created', target: TO, status: 'pending' });

    await deliverAll([workerOn(stack.database, smtp.port)]);

    const accepted = smtp.received.filter((m) => m.outcome === 'accepted' && m.messageId === `<${row!.id}@example.com>`);
    expect(accepted).toHaveLength(1);
    const { mail, rcpt } = accepted[0]!;
    expect(rcpt.sort()).toEqual(['prod-approvers@example.com', 'security@example.com']);
    expect(mail.from?.value[0]).toMatchObject({ name: 'Rolegate', address: 'rolegate@example.com' });
    expect(mail.subject).toBe('[Rolegate] Access request waiting for approval: emma@example.com → Deploy (222222222222)');
    expect(mail.headers.get('x-rolegate-delivery-id')).toBe(row!.id);
    expect(mail.headers.get('bcc')).toBeUndefined();
    expect(mail.references).toBe(`<${requestId}@example.com>`);
    const text = mail.text ?? '';
    for (const fact of [
      'emma@example.com',
      'Deploy',
      '222222222222',
      '1 h 30 min',
      'hotfix <script>alert(1)</script>',
      `${stack.baseUrl}/requests/${requestId}`,
    ]) {
      expect(text).toContain(fact);
    }
    const html = String(mail.html);
    expect(html).toContain('hotfix &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<a href="${stack.baseUrl}/requests/${requestId}">Review it</a>`);
    // The row was refused twice (451, then 554) and delivered on the third attempt; the row says so.
    expect(smtp.received.filter((m) => m.messageId === `<${row!.id}@example.com>`).map((m) => m.outcome)).toEqual(['refused', 'refused', 'accepted']);
    expect((await outboxRows(`id = '${row!.id}'`))[0]).toMatchObject({ status: 'delivered', attempts: 3, last_error: null });
  });

  it('a decision is mailed as a reply in the request thread, with the approver comment', async () => {
    expect((await ada.post(`/api/requests/${requestId}/approve`, { comment: 'ok for the hotfix' })).status).toBe(200);
    const row = (await outboxRows()).find((r) => r.request_id === requestId && r.event_type === 'request.approved')!;
    await deliverAll([workerOn(stack.database, smtp.port)]);
    const { mail } = smtp.received.find((m) => m.outcome === 'accepted' && m.messageId === `<${row.id}@example.com>`)!;
    expect(mail.subject).toContain('Access request approved');
    expect(mail.inReplyTo).toBe(`<${requestId}@example.com>`);
    expect(mail.text).toContain('ok for the hotfix');
    expect(mail.text).toContain('Window ends');
  });

  it('two replicas mail every notification exactly once per attempt, through 451s and 554s', { timeout: 120_000 }, async () => {
    const entitlementId = (await stack.mappingIds()).Deploy!;
    for (let i = 0; i < 4; i++) {
      const id = (await erin.post('/api/requests', { entitlementId, durationSeconds: 3600, reason: `batch ${i}` })).json().request.id as string;
      expect((await ada.post(`/api/requests/${id}/${i % 2 === 0 ? 'approve' : 'deny'}`, {})).status).toBe(200);
    }
    const fresh = (await outboxRows()).filter((r) => r.status === 'pending');
    expect(fresh).toHaveLength(8);
    await deliverAll([workerOn(stack.database, smtp.port), workerOn(second, smtp.port)]);
    const rows = await outboxRows();
    // Every attempt the database counted reached the server once: no two replicas sent one row at once.
    for (const r of rows.filter((x) => fresh.some((f) => f.id === x.id))) {
      expect(r.attempts).toBe(3);
      expect(smtp.received.filter((m) => m.messageId === `<${r.id}@example.com>`).map((m) => m.outcome)).toEqual(['refused', 'refused', 'accepted']);
    }
    // Every row accepted exactly once overall: nothing lost, nothing sent twice.
    const accepted = smtp.received.filter((m) => m.outcome === 'accepted').map((m) => m.messageId);
    expect(accepted.sort()).toEqual(rows.map((r) => `<${r.id}@example.com>`).sort());
    expect(rows).toHaveLength(2 + 8);
  });

  it('a server that is down keeps the row pending with its error; it is delivered once the server is back', async () => {
    const entitlementId = (await stack.mappingIds()).Deploy!;
    // A port where nothing listens yet: take one, and free it.
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const id = (await erin.post('/api/requests', { entitlementId, durationSeconds: 3600, reason: 'while mail is down' })).json().request.id as string;
    const worker = workerOn(stack.database, port);
    expect(await worker.runOnce()).toBe(1);
    const [row] = (await outboxRows()).filter((r) => r.request_id === id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.last_error).toMatch(/ECONNREFUSED|connect/i);

    const back = await startSmtp(() => null, port);
    try {
      await deliverAll([worker]);
      expect(back.received.map((m) => m.messageId)).toEqual([`<${row!.id}@example.com>`]);
      expect((await outboxRows(`id = '${row!.id}'`))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    } finally {
      await back.close();
    }
  });
});
