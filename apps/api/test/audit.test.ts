import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_EXPORT_COLUMNS, auditGrantDetail, grant as grantSchema } from '@rolegate/contract';
import { EXPORT_CSV_SQL } from '@rolegate/db';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

const UNTRUSTED_ROLE = 'arn:aws:iam::222222222222:role/Untrusting';
const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
  - { group: engineers, roleArn: "${UNTRUSTED_ROLE}", maxDurationSeconds: 3600 }
  - { group: platform-admins, roleArn: "arn:aws:iam::222222222222:role/platform/Administrator", maxDurationSeconds: 3600 }
`;

let stack: Stack;
let alice: TestBrowser; // employee
let bob: TestBrowser; // admin, not auditor
let carol: TestBrowser; // auditor
const ids: Record<string, string> = {};
const real: { issued: string; denied: string; failed: string } = { issued: '', denied: '', failed: '' };
let bobbyId = '';
let bobId = '';

interface SeedGrant {
  userId: string;
  email: string;
  createdAt: Date;
  status?: string;
  kind?: string;
  accountId?: string;
  roleArn?: string;
  reason?: string | null;
  userAgent?: string | null;
}

/** Inserts a grant row directly (as the grant service would have), returns its id. */
async function seedGrant(g: SeedGrant): Promise<string> {
  const id = randomUUID();
  await stack.sql.query(
    `INSERT INTO grants (id, created_at, user_id, user_email, user_subject, idp, groups, account_id, role_arn, kind, status, reason, user_agent, role_session_name, source_identity)
     VALUES ($1, $2, $3, $4, $4, 'oidc', '{engineers}', $5, $6, $7::"GrantKind", $8::"GrantStatus", $9, $10, $4, $4)`,
    [
      id,
      g.createdAt,
      g.userId,
      g.email,
      g.accountId ?? '111111111111',
      g.roleArn ?? 'arn:aws:iam::111111111111:role/Developer',
      g.kind ?? 'console',
      g.status ?? 'issued',
      g.reason ?? null,
      g.userAgent ?? null,
    ],
  );
  return id;
}

async function seedUser(email: string): Promise<string> {
  const res = await stack.sql.query(
    `INSERT INTO users (id, idp, issuer, subject, email, display_name, groups) VALUES (gen_random_uuid(), 'oidc', 'https://idp.test', $1, $1, $1, '{}') RETURNING id`,
    [email],
  );
  return res.rows[0].id;
}

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, untrustedRoles: [UNTRUSTED_ROLE] });
  alice = await stack.signIn('alice');
  bob = await stack.signIn('bob');
  carol = await stack.signIn('carol');
  Object.assign(ids, await stack.mappingIds());

  // Real grants through the API: issued, denied (not entitled), failed (AWS refused).
  real.issued = (await alice.post('/api/grants', { entitlementId: ids.Developer, kind: 'console' })).json().grant.id;
  await alice.post('/api/grants', { entitlementId: ids.Administrator, kind: 'console' });
  await alice.post('/api/grants', { entitlementId: ids.Untrusting, kind: 'cli' });
  real.denied = (await stack.grantRows(`status = 'denied'`))[0].id;
  real.failed = (await stack.grantRows(`status = 'failed'`))[0].id;

  bobId = (await stack.sql.query(`SELECT id FROM users WHERE email = 'bob@example.com'`)).rows[0].id;
  bobbyId = await seedUser('bobby@example.com');
});
afterAll(async () => {
  await stack?.close();
});

const list = async (query: string, as = carol) => {
  const res = await as.get(`/api/audit/grants?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.json() as { items: { id: string; status: string; user: { email: string } }[]; nextCursor: string | null };
};

describe('RBAC on every audit route', () => {
  it.each([
    '/api/audit/grants',
    '/api/audit/grants?user=alice@example.com',
    '/api/audit/grants/export?format=csv',
    '/api/audit/grants/export?format=ndjson',
    '/api/audit/grants/00000000-0000-4000-8000-000000000000',
  ])('GET %s: 401 signed out, 403 FORBIDDEN for an employee and for an admin; no grant data in the answer', async (path) => {
    const anon = await stack.browser().get(path);
    expect(anon.status).toBe(401);
    expect(anon.json().error.code).toBe('UNAUTHENTICATED');
    for (const who of [alice, bob]) {
      const res = await who.get(path);
      expect(res.status).toBe(403);
      expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'This needs the auditor role' } });
      expect(res.text).not.toContain('alice@example.com');
    }
  });
});

describe('grant history', () => {
  it('shows issued, denied and failed attempts with their details', async () => {
    const page = await list('user=alice@example.com&limit=50');
    const byId = new Map(page.items.map((g) => [g.id, g]));
    expect(byId.get(real.issued)).toMatchObject({ status: 'issued' });
    expect(byId.get(real.denied)).toMatchObject({ status: 'denied', roleArn: 'arn:aws:iam::222222222222:role/platform/Administrator' });
    expect(byId.get(real.failed)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^sts:AccessDenied/) });
    page.items.forEach((g) => grantSchema.parse(g));
    expect((await list('status=denied')).items.map((g) => g.id)).toEqual([real.denied]);
    expect((await list('status=failed&kind=cli')).items.map((g) => g.id)).toEqual([real.failed]);
    expect((await list('status=failed&kind=console')).items).toEqual([]);
  });

  it("matches whole users, any case: 'bob' finds nobody, bob@ never finds bobby@, BOB@ finds bob@, a user id finds that user only", async () => {
    const at = new Date('2026-06-01T10:00:00Z');
    const bobGrant = await seedGrant({ userId: bobId, email: 'bob@example.com', createdAt: at });
    const bobbyGrant = await seedGrant({ userId: bobbyId, email: 'bobby@example.com', createdAt: at });
    const olderBobGrant = await seedGrant({ userId: bobId, email: 'Bob@Example.com', createdAt: new Date('2026-05-01T10:00:00Z') });
    expect((await list('user=bob')).items).toEqual([]);
    expect((await list('user=bob@example.co')).items).toEqual([]);
    // Emails compare case-insensitively: an auditor typing Bob@Example.com must
    // not miss bob@example.com's grants (nor a row written as Bob@ by an older version).
    expect((await list('user=BOB@example.com')).items.map((g) => g.id)).toEqual([bobGrant, olderBobGrant]);
    expect((await list('user=bob@example.com')).items.map((g) => g.id)).toEqual([bobGrant, olderBobGrant]);
    expect((await list('user=bobby@example.com')).items.map((g) => g.id)).toEqual([bobbyGrant]);
    expect((await list(`user=${bobbyId}`)).items.map((g) => g.id)).toEqual([bobbyGrant]);
    expect((await list('user=%25bob%25')).items).toEqual([]);
  });

  it('treats SQL-looking values as data: nothing matches and nothing breaks', async () => {
    const before = (await stack.sql.query(`SELECT count(*)::int AS n FROM grants`)).rows[0].n;
    for (const q of [
      `user=${encodeURIComponent("' OR '1'='1")}`,
      `user=${encodeURIComponent('alice@example.com; DROP TABLE grants; --')}`,
      `user=${encodeURIComponent("x' UNION SELECT * FROM users --")}`,
      `roleArn=${encodeURIComponent("arn:aws:iam::111111111111:role/Developer'OR'a'='a'--")}`,
    ]) {
      expect((await list(q)).items).toEqual([]);
    }
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM grants`)).rows[0].n).toBe(before);
  });

  it('filters by account, role and time range (from inclusive, to exclusive)', async () => {
    const email = 'window@example.com';
    const uid = await seedUser(email);
    const t = (s: string) => new Date(`2026-03-0${s}Z`);
    const a = await seedGrant({
      userId: uid,
      email,
      createdAt: t('1T00:00:00'),
      accountId: '222222222222',
      roleArn: 'arn:aws:iam::222222222222:role/ReadOnly',
    });
    const b = await seedGrant({ userId: uid, email, createdAt: t('2T00:00:00') });
    const c = await seedGrant({ userId: uid, email, createdAt: t('3T00:00:00') });
    expect((await list(`user=${email}&from=2026-03-01&to=2026-03-03`)).items.map((g) => g.id)).toEqual([b, a]);
    expect((await list(`user=${email}&from=2026-03-02T00:00:00Z`)).items.map((g) => g.id)).toEqual([c, b]);
    expect((await list(`user=${email}&accountId=222222222222`)).items.map((g) => g.id)).toEqual([a]);
    expect((await list(`user=${email}&roleArn=arn:aws:iam::111111111111:role/Developer`)).items.map((g) => g.id)).toEqual([c, b]);
    expect((await list(`user=${email}&from=2026-03-02T01:00:00%2B02:00&to=2026-03-02T03:00:00%2B02:00`)).items.map((g) => g.id)).toEqual([b]);
  });

  it('role filter: a role name finds that role in every account (any case, paths too), never a longer name; an ARN finds exactly that role', async () => {
    const email = 'rolefilter@example.com';
    const uid = await seedUser(email);
    const t = (d: number) => new Date(Date.UTC(2026, 4, d));
    const dev1 = await seedGrant({ userId: uid, email, createdAt: t(1) });
    const dev2 = await seedGrant({ userId: uid, email, createdAt: t(2), accountId: '222222222222', roleArn: 'arn:aws:iam::222222222222:role/team/Developer' });
    await seedGrant({ userId: uid, email, createdAt: t(3), roleArn: 'arn:aws:iam::111111111111:role/SeniorDeveloper' });
    await seedGrant({ userId: uid, email, createdAt: t(4), roleArn: 'arn:aws:iam::111111111111:role/Developer2' });
    const ids = async (q: string) => (await list(`user=${email}&${q}`)).items.map((g) => g.id);
    expect(await ids('role=Developer')).toEqual([dev2, dev1]);
    expect(await ids('role=developer')).toEqual([dev2, dev1]);
    expect(await ids('role=Develop')).toEqual([]);
    expect(await ids('role=arn:aws:iam::222222222222:role/team/Developer')).toEqual([dev2]);
    // The export takes the same filter.
    const nd = (await carol.get(`/api/audit/grants/export?format=ndjson&user=${email}&role=Developer`)).text.trimEnd().split('\n');
    expect(nd.map((l) => JSON.parse(l).id)).toEqual([dev2, dev1]);
  });

  it('keeps pages stable while new grants arrive between them', async () => {
    const email = 'pager@example.com';
    const uid = await seedUser(email);
    const base = Date.parse('2026-05-01T00:00:00Z');
    const original: string[] = [];
    // Two rows share a timestamp: the id breaks the tie.
    for (const offset of [0, 1000, 2000, 2000, 3000, 4000, 5000]) original.push(await seedGrant({ userId: uid, email, createdAt: new Date(base + offset) }));
    const expected = (await stack.grantRows('user_email = $1', [email])).map((r) => r.id);
    expect(expected.sort()).toEqual([...original].sort());

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`user=${email}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((g) => g.id));
      cursor = page.nextCursor;
      pages++;
      // New grants (newer than everything) and one in the middle of the range arrive between pages.
      await seedGrant({ userId: uid, email, createdAt: new Date(Date.now() + pages) });
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual((await stack.grantRows('user_email = $1 AND created_at < $2', [email, new Date(base + 10_000)])).map((r) => r.id));
    expect(new Set(seen).size).toBe(7);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['from=2026-02-30', 'from'],
    ['to=2026-13-01', 'to'],
    ['from=2026-03-01T10:00:00', 'from'], // no time zone: ambiguous
    ['from=2026-03-02&to=2026-03-01', 'to'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('["x","y"]').toString('base64url')}`, 'cursor'],
    ['status=granted', 'status'],
    ['kind=api', 'kind'],
    ['accountId=12345', 'accountId'],
    ['roleArn=Developer', 'roleArn'],
    ['role=Dev%20eloper', 'role'],
    ['role=arn:aws:s3:::bucket', 'role'],
    ['sort=createdAt', 'sort'],
    ['usr=alice@example.com', 'usr'],
    ['user=a&user=b', 'user'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    for (const path of ['/api/audit/grants', '/api/audit/grants/export']) {
      const q = path.endsWith('export') ? `format=csv&${query}` : query;
      if (path.endsWith('export') && field === 'cursor') continue; // the export has no cursor
      const res = await carol.get(`${path}?${q}`);
      expect(res.status, `${path}?${q}`).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toContain(field);
    }
  });

  it('shows one grant with everything needed to find it in CloudTrail', async () => {
    const res = await carol.get(`/api/audit/grants/${real.issued}`);
    expect(res.status).toBe(200);
    const body = auditGrantDetail.parse(res.json());
    const [row] = await stack.grantRows('id = $1', [real.issued]);
    expect(body.cloudTrail).toEqual({
      roleSessionName: row.role_session_name,
      sourceIdentity: row.source_identity,
      accessKeyId: row.access_key_id,
      stsRequestId: row.sts_request_id,
      grantIdTag: { key: 'rolegate:grant-id', value: real.issued },
    });
    expect(body.cloudTrail.accessKeyId).toMatch(/^ASIA/);
    expect(body.grant).toMatchObject({ id: real.issued, user: { email: 'alice@example.com' } });
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', "1' OR '1'='1"]) {
      expect((await carol.get(`/api/audit/grants/${encodeURIComponent(id)}`)).status).toBe(404);
    }
  });
});

describe('export', () => {
  it('streams CSV of exactly the filtered grants, formula cells neutralised', async () => {
    const email = 'csv@example.com';
    const uid = await seedUser(email);
    const evil = await seedGrant({
      userId: uid,
      email,
      createdAt: new Date('2026-04-02T00:00:00Z'),
      reason: '=HYPERLINK("http://evil.example","x")',
      userAgent: '@SUM(1+1)',
    });
    const plain = await seedGrant({ userId: uid, email, createdAt: new Date('2026-04-01T00:00:00Z'), reason: 'ticket 42, urgent', status: 'denied' });
    await seedGrant({ userId: uid, email, createdAt: new Date('2026-01-01T00:00:00Z') }); // outside the range

    // The export filter is case-insensitive too.
    const res = await carol.get(`/api/audit/grants/export?format=csv&user=${email.toUpperCase()}&from=2026-04-01`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="rolegate-grants-.*\.csv"/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(AUDIT_EXPORT_COLUMNS.join(','));
    expect(lines).toHaveLength(3);
    expect(lines[1]!.startsWith(`${evil},2026-04-02T00:00:00.000Z,${uid},${email},`)).toBe(true);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(lines[1]).toContain(`'@SUM(1+1)`);
    expect(lines[1]).not.toMatch(/,=HYPERLINK|,@SUM/);
    expect(lines[2]!.startsWith(`${plain},`)).toBe(true);
    expect(lines[2]).toContain('"ticket 42, urgent"');
    expect(lines[2]).toContain(',denied,');
  });

  it('writes the CSV columns the contract names, in its order', () => {
    expect(EXPORT_CSV_SQL.map(([name]) => name)).toEqual([...AUDIT_EXPORT_COLUMNS]);
  });

  it('streams NDJSON with the same grants as the list for the same filter', async () => {
    const res = await carol.get('/api/audit/grants/export?format=ndjson&user=alice@example.com');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const rows = res.text
      .trimEnd()
      .split('\n')
      .map((l) => grantSchema.parse(JSON.parse(l)));
    const listed = await list('user=alice@example.com&limit=500');
    expect(rows).toEqual(listed.items); // field for field, the same grants the list shows
    expect(rows.map((g) => g.status).sort()).toEqual(['denied', 'failed', 'issued']);
  });

  it('streams more rows than one batch without losing or repeating any', async () => {
    const email = 'bulk@example.com';
    const uid = await seedUser(email);
    await stack.sql.query(
      `INSERT INTO grants (id, created_at, user_id, user_email, user_subject, idp, groups, kind, status)
       SELECT gen_random_uuid(), timestamp '2026-02-01' + (i % 1000) * interval '1 second', $1, $2, $2, 'oidc', '{}', 'cli', 'issued'
       FROM generate_series(1, 4500) AS i`,
      [uid, email],
    );
    const res = await carol.get(`/api/audit/grants/export?format=ndjson&user=${email}`);
    const got = res.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).id as string);
    expect(got).toHaveLength(4500);
    expect(new Set(got).size).toBe(4500);
    expect(got).toEqual((await stack.grantRows('user_email = $1', [email])).map((r) => r.id));
  });

  it('an empty result is a header-only CSV; a missing or unknown format is a 400', async () => {
    const empty = await carol.get('/api/audit/grants/export?format=csv&user=nobody@example.com');
    expect(empty.status).toBe(200);
    expect(empty.text).toBe(`${AUDIT_EXPORT_COLUMNS.join(',')}\r\n`);
    for (const q of ['', 'format=xlsx']) {
      const res = await carol.get(`/api/audit/grants/export?${q}`);
      expect(res.status).toBe(400);
      expect(res.json().error.message).toContain('format');
    }
  });
});

describe('my grants (employee)', () => {
  it("shows only the caller's own grants, with the same filters", async () => {
    const all = (await alice.get('/api/grants')).json();
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    expect(all.items.every((g: { user: { email: string } }) => g.user.email === 'alice@example.com')).toBe(true);
    const denied = (await alice.get('/api/grants?status=denied')).json();
    expect(denied.items.map((g: { id: string }) => g.id)).toEqual([real.denied]);
    expect((await bob.get('/api/grants?status=denied')).json().items).toEqual([]);
    const bad = await alice.get('/api/grants?from=soon');
    expect(bad.status).toBe(400);
    expect(bad.json().error.message).toContain('from');
    // The caller cannot widen the query to someone else.
    expect((await alice.get('/api/grants?user=bob@example.com')).status).toBe(400);
  });
});
