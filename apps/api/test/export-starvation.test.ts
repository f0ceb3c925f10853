import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUser } from '@rolegate/dev-idp';
import { CLI_TEST_MAPPINGS } from './cli-support.js';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

/*
 * Issue 10 §4. Attack: an auditor's session (or a script holding it) opens
 * dozens of audit exports and never reads them; each held a pooled database
 * connection until every grant answered 503 and /readyz failed, so a load
 * balancer dropped every replica. Exports now run on their own small pool,
 * 2 at once per person and EXPORT_MAX_CONCURRENT per instance (429
 * EXPORT_BUSY beyond), and a download that moves no bytes for
 * EXPORT_IDLE_READER_TIMEOUT_MS is ended.
 */

const AUDITORS: DemoUser[] = [1, 2, 3, 4, 5].map((n) => ({
  username: `aud${n}`,
  password: `auditor-password-${n}`,
  email: `aud${n}@example.com`,
  name: `Auditor ${n}`,
  groups: ['auditors'],
}));

/**
 * Enough grant bytes that an export (about 90 MB of CSV) cannot fit in the
 * buffers between Postgres and a stalled reader: Linux autotunes a loopback
 * receive buffer up to net.ipv4.tcp_rmem's maximum (32 MB on some hosts), so
 * a 30 MB export could finish into the kernel and free its slot. The reason
 * compresses to almost nothing in TOAST, so seeding stays cheap.
 */
async function seedManyGrants(stack: Stack, n: number) {
  const user = await stack.sql.query(
    `INSERT INTO users (id, idp, issuer, subject, email, display_name, groups) VALUES (gen_random_uuid(), 'oidc', 'https://idp.test', 'bulk', 'bulk@example.com', 'bulk', '{}') RETURNING id`,
  );
  await stack.sql.query(
    `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, kind, status, reason, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'bulk@example.com', 'bulk', 'oidc', '{}', 'console', 'denied', repeat('r', 1500), now() - g * interval '1 second', now()
       FROM generate_series(1, $2::int) g`,
    [user.rows[0].id, n],
  );
}

interface Stalled {
  status: number;
  head: string;
  socket: net.Socket;
}

/** A real socket that asks for an export, looks at its first bytes, then never reads again. */
function stalledExport(baseUrl: string, browser: TestBrowser): Promise<Stalled> {
  const u = new URL(baseUrl);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.write(
    `GET /api/audit/grants/export?format=csv HTTP/1.1\r\nHost: ${u.host}\r\nAccept: application/json\r\nCookie: ${browser.jar.header() ?? ''}\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    let head = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.off('data', onData);
      socket.pause();
      resolve({ status: Number(head.split(' ')[1]), head, socket });
    };
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const status = Number(head.split(' ')[1]);
      // A 200 is the stall under test: stop reading at its first bytes.
      if (status === 200) return finish();
      // A refusal: wait for its whole JSON body (headers and body may come in separate chunks on a busy machine).
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = head.slice(0, end);
      const length = /\r\ncontent-length: (\d+)/i.exec(headers)?.[1];
      // A chunked body is whole at its last chunk; one with a length when that many bytes are in.
      if (/\r\ntransfer-encoding: chunked/i.test(headers) ? head.endsWith('0\r\n\r\n') : length === undefined || head.length - end - 4 >= Number(length))
        finish();
    };
    socket.on('data', onData);
    // The server may end the response first (the idle-reader timeout): answer with what arrived.
    socket.once('close', finish);
  });
}

const runningCopies = async (stack: Stack) =>
  (
    await stack.sql.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND state = 'active' AND query LIKE 'COPY %'`,
    )
  ).rows[0].n as number;

describe('stalled exports cannot starve grants', () => {
  let stack: Stack;
  let carol: TestBrowser;
  let auditors: TestBrowser[];
  let alice: TestBrowser;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    stack = await startStack({
      mappingsYaml: CLI_TEST_MAPPINGS,
      extraUsers: AUDITORS,
      env: { EXPORT_MAX_CONCURRENT: '4', EXPORT_IDLE_READER_TIMEOUT_MS: '600000' },
    });
    await seedManyGrants(stack, 60_000);
    carol = await stack.signIn('carol');
    auditors = [];
    for (const a of AUDITORS) auditors.push(await stack.signIn(a.username));
    alice = await stack.signIn('alice');
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await stack?.close();
  });

  const open = async (b: TestBrowser) => {
    const s = await stalledExport(stack.baseUrl, b);
    sockets.push(s.socket);
    return s;
  };

  it('allows 2 running exports per person: the third is refused with 429 EXPORT_BUSY while another person still gets one', async () => {
    expect((await open(carol)).status).toBe(200);
    expect((await open(carol)).status).toBe(200);
    const third = await open(carol);
    expect(third.status).toBe(429);
    expect(third.head).toContain('"code":"EXPORT_BUSY"');
    expect((await open(auditors[0]!)).status).toBe(200);
    await expect.poll(() => runningCopies(stack), { timeout: 15_000 }).toBe(3);
  });

  it('30 stalled exports: the instance runs 4, refuses the rest, and grants and /readyz keep working', async () => {
    // 4 more connections besides the 3 of the previous test: 30 stalled sockets in all.
    // Opened one after another: the point is 30 stalled sockets at once, not a burst of 26 sign-in reads
    // (on a loaded machine such a burst can outwait the pool and get 503 DATABASE_UNAVAILABLE, as it should).
    const more: Stalled[] = [];
    for (let i = 0; i < 26; i++) more.push(await open(auditors[1 + (i % 4)]!));
    const ok = more.filter((s) => s.status === 200).length;
    expect(ok).toBe(1); // the 4th slot of the instance
    const refusals = more.filter((s) => s.status !== 200).map((s) => `${s.status} ${/"code":"([A-Z_]+)"/.exec(s.head)?.[1] ?? s.head.slice(0, 80)}`);
    expect(refusals).toEqual(Array.from({ length: 25 }, () => '429 EXPORT_BUSY'));
    expect(sockets).toHaveLength(30);
    await expect.poll(() => runningCopies(stack), { timeout: 15_000 }).toBe(4);
    // The exports hold connections of their own pool, not the one grants use.
    expect(stack.database.exportPool.totalCount).toBe(4);

    const ids = await stack.mappingIds();
    for (let i = 0; i < 5; i++) {
      const res = await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console', durationSeconds: 900 });
      expect(res.status).toBe(201);
    }
    expect((await alice.get('/readyz')).status).toBe(200);
    expect(await stack.grantRows(`user_email = 'alice@example.com' AND status = 'issued'`)).toHaveLength(5);
  });
});

describe('a download that reads nothing is ended', () => {
  let stack: Stack;
  let carol: TestBrowser;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    stack = await startStack({ mappingsYaml: CLI_TEST_MAPPINGS, env: { EXPORT_IDLE_READER_TIMEOUT_MS: '1000' } });
    await seedManyGrants(stack, 60_000);
    carol = await stack.signIn('carol');
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await stack?.close();
  });

  // Generous waits: on a loaded 2-core machine the stopped COPYs take a while to end.
  it('frees its database connection and its slot after the idle-reader timeout', { timeout: 90_000 }, async () => {
    for (let i = 0; i < 2; i++) {
      const s = await stalledExport(stack.baseUrl, carol);
      sockets.push(s.socket);
      expect(s.status).toBe(200);
    }
    // Both of carol's slots are taken by downloads that never read…
    const busy = await stalledExport(stack.baseUrl, carol);
    sockets.push(busy.socket);
    expect(busy.status).toBe(429);
    // …until the server ends them: their COPYs stop and carol may export again.
    await expect.poll(() => runningCopies(stack), { timeout: 40_000 }).toBe(0);
    await expect.poll(async () => (await carol.get('/api/audit/grants/export?format=csv&user=nobody@example.com')).status, { timeout: 40_000 }).toBe(200);
  });
});
