import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// Mappings are served from an in-memory snapshot that each instance drops when
// Postgres reports a change (LISTEN/NOTIFY). These tests change mappings behind
// an instance's back and check that no grant is ever issued from a stale copy.
const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400, description: Dev }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/ReadOnly", maxDurationSeconds: 3600, description: RO }
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Tester", maxDurationSeconds: 3600, description: Test }
  - { group: platform-admins, roleArn: "arn:aws:iam::222222222222:role/platform/Administrator", maxDurationSeconds: 3600 }
`;
const POLL = { timeout: 5000, interval: 20 };
/** What the app logs when the mapping feed loses its connection. */
const FEED_WARNING = /\bmappings? change feed interrupted/;

let stack: Stack;
let alice: TestBrowser; // engineers
let bob: TestBrowser; // platform-admins → admin
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS });
  alice = await stack.signIn('alice');
  bob = await stack.signIn('bob');
  Object.assign(ids, await stack.mappingIds());
});
afterAll(async () => {
  await stack?.close();
});

const assumeCalls = () => stack.aws.countCalls('AssumeRole');

/** The mapping ids the browser's user is offered right now. */
async function entitled(b: TestBrowser): Promise<string[]> {
  const res = await b.get('/api/entitlements');
  expect(res.status).toBe(200);
  return res.json().items.map((e: { id: string }) => e.id);
}

/** The same session (cookies and CSRF token) pointed at another instance. */
function sameBrowserAt(b: TestBrowser, other: { browser(): TestBrowser }): TestBrowser {
  const moved = other.browser();
  const cookies = b.jar.header();
  if (cookies) moved.jar.store(cookies.split('; '));
  moved.csrfToken = b.csrfToken;
  return moved;
}

async function rowCount(status: 'denied' | 'issued', mappingId: string): Promise<number> {
  return (await stack.grantRows(`status = $1 AND mapping_id = $2`, [status, mappingId])).length;
}

/** A grant of a mapping that must be refused: 403 NOT_ENTITLED, one denied row, no call to AWS. */
async function expectRefused(b: TestBrowser, mappingId: string) {
  const calls = assumeCalls();
  const [denied, issued] = [await rowCount('denied', mappingId), await rowCount('issued', mappingId)];
  const res = await b.post('/api/grants', { entitlementId: mappingId, kind: 'cli' });
  expect(res.status).toBe(403);
  expect(res.json().error.code).toBe('NOT_ENTITLED');
  expect(assumeCalls()).toBe(calls);
  expect(await rowCount('issued', mappingId)).toBe(issued);
  const [row] = await stack.grantRows(`status = 'denied' AND mapping_id = $1`, [mappingId]);
  expect(await rowCount('denied', mappingId)).toBe(denied + 1);
  expect(row).toMatchObject({ error: 'NOT_ENTITLED', access_key_id: null });
}

async function expectGranted(b: TestBrowser, mappingId: string) {
  const calls = assumeCalls();
  const res = await b.post('/api/grants', { entitlementId: mappingId, kind: 'cli' });
  expect(res.status).toBe(201);
  expect(res.json().grant).toMatchObject({ status: 'issued', mappingId });
  expect(assumeCalls()).toBe(calls + 1);
}

const setEnabledBySql = (id: string, enabled: boolean) => stack.sql.query(`UPDATE role_mappings SET enabled = $2 WHERE id = $1`, [id, enabled]);

/**
 * The backends of the LISTEN feeds on this test's database (the mapping feed
 * and any other feed the app runs, e.g. sessions): last query a LISTEN or a
 * feed's heartbeat. Nothing else in these tests runs a bare `SELECT 1` (no /readyz
 * calls), and the caller's own backend is left out.
 */
const FEED_BACKENDS = `FROM pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
    AND (query ILIKE 'LISTEN %' OR query = 'SELECT 1')`;

/** Pids of backends that LISTEN for mapping changes and are not among `old`. */
async function newMappingListeners(old: number[]): Promise<number[]> {
  const res = await stack.sql.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN rolegate_mappings' AND NOT (pid = ANY($1::int[]))`,
    [old],
  );
  return res.rows.map((r) => r.pid);
}

const feedWarnings = () => stack.logLines.filter((l) => FEED_WARNING.test(l)).length;

describe('a mapping changed behind the broker’s back (direct SQL)', () => {
  it('is refused once disabled: no longer offered, 403 NOT_ENTITLED, a denied row, no AssumeRole; and offered again once restored', async () => {
    const id = ids.Developer!;
    // Load the snapshot, and prove the mapping works before the change.
    expect(await entitled(alice)).toContain(id);
    await expectGranted(alice, id);

    await setEnabledBySql(id, false);
    await expect.poll(() => entitled(alice), POLL).not.toContain(id);
    await expectRefused(alice, id);

    await setEnabledBySql(id, true);
    await expect.poll(() => entitled(alice), POLL).toContain(id);
    await expectGranted(alice, id);
  });

  it('a renamed account is shown without a restart (a change to accounts also notifies)', async () => {
    const name = async () => (await alice.get('/api/entitlements')).json().items.find((e: { id: string }) => e.id === ids.Developer).accountName;
    expect(await name()).toBe('sandbox');
    await stack.sql.query(`UPDATE accounts SET name = 'sandbox-renamed' WHERE id = '111111111111'`);
    await expect.poll(name, POLL).toBe('sandbox-renamed');
    await stack.sql.query(`UPDATE accounts SET name = 'sandbox' WHERE id = '111111111111'`);
    await expect.poll(name, POLL).toBe('sandbox');
  });
});

describe('an admin change on one of two instances', () => {
  let second: Awaited<ReturnType<Stack['startInstance']>>;
  let aliceThere: TestBrowser;
  beforeAll(async () => {
    second = await stack.startInstance();
    aliceThere = sameBrowserAt(alice, second);
  });
  afterAll(async () => {
    // The feed tests below count the feed connections of the first instance alone.
    await second?.close();
  });

  const setEnabledByAdmin = async (id: string, enabled: boolean) => {
    const res = await bob.request('PUT', `/api/admin/mappings/${id}`, { json: { enabled } });
    expect(res.status).toBe(200);
    expect(res.json().mapping).toMatchObject({ id, enabled });
  };

  it('is refused at once on the instance that made it, and on the other as soon as the notification arrives', async () => {
    const id = ids.ReadOnly!;
    // Both instances have a snapshot that offers the mapping.
    expect(await entitled(alice)).toContain(id);
    expect(await entitled(aliceThere)).toContain(id);

    await setEnabledByAdmin(id, false);
    // No waiting here: the writing instance drops its snapshot when the write ends.
    expect(await entitled(alice)).not.toContain(id);
    await expectRefused(alice, id);
    await expect.poll(() => entitled(aliceThere), POLL).not.toContain(id);
    await expectRefused(aliceThere, id);

    await setEnabledByAdmin(id, true);
    expect(await entitled(alice)).toContain(id);
    await expectGranted(alice, id);
    await expect.poll(() => entitled(aliceThere), POLL).toContain(id);
    await expectGranted(aliceThere, id);
  });

  it('the writing instance does not depend on the notification: with the trigger off it still refuses at once', async () => {
    const id = ids.ReadOnly!;
    expect(await entitled(alice)).toContain(id);
    await stack.sql.query(`ALTER TABLE role_mappings DISABLE TRIGGER role_mappings_notify`);
    try {
      await setEnabledByAdmin(id, false);
      expect(await entitled(alice)).not.toContain(id);
      await expectRefused(alice, id);
    } finally {
      await stack.sql.query(`ALTER TABLE role_mappings ENABLE TRIGGER role_mappings_notify`);
    }
    await setEnabledByAdmin(id, true);
    expect(await entitled(alice)).toContain(id);
    await expect.poll(() => entitled(aliceThere), POLL).toContain(id);
  });
});

describe('the LISTEN connection is lost', () => {
  it('no snapshot outlives the connection: a change made while it is down is seen at once, and changes are seen again after it reconnects', async () => {
    const id = ids.Tester!;
    // The feeds are connected (a backend shows its LISTEN, or its heartbeat once it has run).
    await expect.poll(async () => (await stack.sql.query(`SELECT pid ${FEED_BACKENDS}`)).rowCount, POLL).toBeGreaterThanOrEqual(1);
    expect(await entitled(alice)).toContain(id);
    // Enough idle connections in both pools for the requests below (a grant
    // also counts against the rate limit): while new connections to this
    // database are refused, only the feeds should notice.
    await expectGranted(alice, id);
    await Promise.all([1, 2, 3, 4].map(() => entitled(alice)));

    const db = (await stack.sql.query<{ db: string }>(`SELECT current_database() AS db`)).rows[0]!.db;
    const warnings = feedWarnings();
    let killed: number[] = [];
    // Keep the feed from reconnecting until the checks below are done (from
    // another database: Postgres refuses this for the current one).
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`);
    try {
      killed = (await stack.sql.query<{ pid: number; ok: boolean }>(`SELECT pid, pg_terminate_backend(pid) AS ok ${FEED_BACKENDS}`)).rows
        .filter((r) => r.ok)
        .map((r) => r.pid);
      expect(killed.length).toBeGreaterThanOrEqual(1);
      // The mapping feed noticed (its error is logged once the feed stopped trusting itself).
      await expect.poll(feedWarnings, POLL).toBeGreaterThan(warnings);

      // A read while the feed is down (it must not leave a snapshot behind)…
      expect(await entitled(alice)).toContain(id);
      // …then a change of which no notification can arrive: the instance must not answer from a snapshot.
      await setEnabledBySql(id, false);
      expect(await entitled(alice)).not.toContain(id);
      await expectRefused(alice, id);
    } finally {
      await admin.query(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }

    // The feed comes back on a new connection…
    await expect.poll(() => newMappingListeners(killed), POLL).toHaveLength(1);
    expect(await entitled(alice)).not.toContain(id);
    // …and a later change is heard again.
    await setEnabledBySql(id, true);
    await expect.poll(() => entitled(alice), POLL).toContain(id);
    await expectGranted(alice, id);
    await setEnabledBySql(id, false);
    await expect.poll(() => entitled(alice), POLL).not.toContain(id);
    await expectRefused(alice, id);
  });
});
