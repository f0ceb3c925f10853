import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_EXPORT_COLUMNS, grant as grantSchema } from '@rolegate/contract';
import { csvLine, neutraliseBidi } from '@rolegate/core';
import { auditWhereInline, createAuditGrantRepository } from '@rolegate/db';
import { CsvCrlf, streamGrantExport } from '../src/services/audit-export.js';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

/*
 * The export streamed by COPY … TO STDOUT: byte-for-byte the CSV that core's
 * csvLine writes, JSON lines verbatim, filters inlined as literals that stay
 * data, and a connection that goes back (or away) whatever the client does.
 */

let stack: Stack;
let carol: TestBrowser; // auditor

beforeAll(async () => {
  stack = await startStack();
  carol = await stack.signIn('carol');
});
afterAll(async () => {
  await stack?.close();
});

async function seedUser(email: string): Promise<string> {
  const res = await stack.sql.query(
    `INSERT INTO users (id, idp, issuer, subject, email, display_name, groups) VALUES (gen_random_uuid(), 'oidc', 'https://idp.test', $1, $1, $1, '{}') RETURNING id`,
    [email],
  );
  return res.rows[0].id;
}

/** Inserts a grant with the given free-text values; returns its id. */
async function seedGrant(
  userId: string,
  email: string,
  at: string,
  text: { reason?: string | null; userAgent?: string | null; error?: string | null; groups?: string[] | null },
) {
  const id = randomUUID();
  await stack.sql.query(
    `INSERT INTO grants (id, created_at, user_id, user_email, user_subject, idp, groups, account_id, role_arn, kind, status, reason, user_agent, error, duration_seconds, expires_at)
     VALUES ($1, $2, $3, $4, $4, 'oidc', $5, '111111111111', 'arn:aws:iam::111111111111:role/Developer', 'cli', 'failed', $6, $7, $8, 3600, $2::timestamptz + interval '1 hour')`,
    [id, at, userId, email, text.groups === undefined ? ['engineers'] : text.groups, text.reason ?? null, text.userAgent ?? null, text.error ?? null],
  );
  return id;
}

/** The CSV values of a grant row, in export order, as core's csvLine takes them. */
function csvValues(r: Record<string, any>): (string | number | null)[] {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return [
    r.id,
    iso(r.created_at),
    r.user_id,
    r.user_email,
    r.user_subject,
    r.idp,
    r.groups === null ? null : JSON.stringify(r.groups),
    r.mapping_id,
    r.account_id,
    r.role_arn,
    r.role_session_name,
    r.source_identity,
    r.kind,
    r.duration_seconds,
    iso(r.expires_at),
    r.reason === null ? null : neutraliseBidi(r.reason),
    r.status,
    r.sts_request_id,
    r.access_key_id,
    r.client_ip,
    r.user_agent === null ? null : neutraliseBidi(r.user_agent),
    r.error,
    r.request_id,
  ];
}

/** Exports run on a pool of their own (export-starvation.test.ts). */
const pool = () => stack.database.exportPool;
/** Connections the app's export pool has handed out and not got back. */
const checkedOut = () => pool().totalCount - pool().idleCount;
/** COPY statements running on the server (other than this query). */
const runningCopies = async () =>
  (
    await stack.sql.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY (SELECT%' AND pid <> pg_backend_pid()`,
    )
  ).rows[0].n as number;

/** Polls `check` (up to 10 s) until it is true; returns whether it became true. */
async function waitFor(check: () => Promise<boolean> | boolean): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('CsvCrlf (Postgres CSV → RFC 4180 CRLF records)', () => {
  const input = 'a,b\n"x\ny","say ""hi""\n",\n"",plain\n"multi\n\nline"\n';
  const expected = 'a,b\r\n"x\ny","say ""hi""\n",\r\n"",plain\r\n"multi\n\nline"\r\n';
  const run = async (chunks: string[]) => {
    let out = '';
    await streamGrantExport(
      Readable.from(chunks.map((c) => Buffer.from(c))),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          out += chunk.toString();
          cb();
        },
      }),
      'csv',
    );
    return out;
  };

  it('turns record ends into CRLF and leaves line breaks inside quoted cells alone, wherever chunks split', async () => {
    expect(await run([input])).toBe(expected);
    for (let i = 1; i < input.length; i++) expect(await run([input.slice(0, i), input.slice(i)]), `split at ${i}`).toBe(expected);
    expect(await run([...input])).toBe(expected);
  });

  it('passes NDJSON through untouched', async () => {
    const t = new CsvCrlf();
    expect(t).toBeInstanceOf(CsvCrlf);
    let out = '';
    await streamGrantExport(
      Readable.from([Buffer.from('{"a":"x\\ny"}\n')]),
      new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }),
      'ndjson',
    );
    expect(out).toBe('{"a":"x\\ny"}\n');
  });
});

describe('filters inlined into COPY', () => {
  it('escapes every value into one string literal that is cast, never SQL', () => {
    const where = auditWhereInline(
      {
        user: "x' OR '1'='1",
        roleArn: "arn:aws:iam::111111111111:role/a\\' OR true --",
        accountId: "1'; DROP TABLE grants; --",
        status: 'issued',
        from: new Date('2026-01-01T00:00:00Z'),
      },
      pg.escapeLiteral,
    );
    expect(where).toBe(
      `WHERE lower(user_email) = 'x'' or ''1''=''1' AND account_id = '1''; DROP TABLE grants; --'` +
        // An exact ARN also names its role, for the role-name index (migration 20261208100000): the value twice, escaped both times.
        ` AND lower(substring(role_arn from '[^/]+$')) = lower(substring( E'arn:aws:iam::111111111111:role/a\\\\'' OR true --'::text from '[^/]+$'))` +
        ` AND role_arn =  E'arn:aws:iam::111111111111:role/a\\\\'' OR true --'` +
        ` AND status = 'issued'::"GrantStatus" AND created_at >= '2026-01-01T00:00:00.000Z'::timestamptz`,
    );
    expect(auditWhereInline({ user: '0A1B2C3D-0000-4000-8000-000000000000' }, pg.escapeLiteral)).toBe(
      `WHERE user_id = '0a1b2c3d-0000-4000-8000-000000000000'::uuid`,
    );
    expect(auditWhereInline({}, pg.escapeLiteral)).toBe('');
  });

  it('treats SQL-looking filter values as data in both formats: nothing matches, nothing breaks, nothing changes', async () => {
    const before = (await stack.sql.query(`SELECT count(*)::int AS n FROM grants`)).rows[0].n;
    const uid = await seedUser('quote@example.com');
    await seedGrant(uid, 'quote@example.com', '2026-03-01T00:00:00Z', {});
    for (const value of ["' OR '1'='1", "quote@example.com' OR 'a'='a", "x\\' OR true; DROP TABLE grants; --", "quote@example.com'--"]) {
      const csv = await carol.get(`/api/audit/grants/export?format=csv&user=${encodeURIComponent(value)}`);
      expect(csv.status, value).toBe(200);
      expect(csv.text).toBe(`${AUDIT_EXPORT_COLUMNS.join(',')}\r\n`);
      const nd = await carol.get(`/api/audit/grants/export?format=ndjson&user=${encodeURIComponent(value)}`);
      expect(nd.status, value).toBe(200);
      expect(nd.text).toBe('');
    }
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM grants`)).rows[0].n).toBe(before + 1);
    // The same filter without the injection finds the grant: the values above really were compared.
    expect((await carol.get('/api/audit/grants/export?format=ndjson&user=quote@example.com')).text.split('\n')).toHaveLength(2);
  });
});

describe('content', () => {
  it('writes exactly what core csvLine writes, for awkward cells too (formulas, quotes, line breaks, empty, null)', async () => {
    const email = 'awkward@example.com';
    const uid = await seedUser(email);
    const cells: { reason?: string | null; userAgent?: string | null; error?: string | null; groups?: string[] | null }[] = [
      { reason: '=HYPERLINK("http://evil.example","x")', userAgent: '@SUM(1+1)', error: '+1' },
      { reason: '-2+3', userAgent: '\tleading tab', error: '\rleading CR' },
      { reason: 'two\nlines, "quoted"\r\nand CRLF', userAgent: 'a,b', error: 'ends with newline\n' },
      { reason: '', userAgent: null, error: '   ', groups: [] },
      { reason: 'ünïcødé ✓ 🚀 \\ back\\slash', userAgent: "'already quoted", error: null, groups: null },
      { reason: 'x=1 mid-cell =, not first', userAgent: '"', error: ',' },
      // Bidi controls (reversed-text spoofing) are made visible in the human-facing cells.
      { reason: 'fix \u202Enimda ot ssecca\u202C \u2066x\u2069', userAgent: 'ua\u202Bz\u2067', error: null },
    ];
    for (const [i, c] of cells.entries()) await seedGrant(uid, email, `2026-07-0${i + 1}T12:34:56.789Z`, c);

    const res = await carol.get(`/api/audit/grants/export?format=csv&user=${email}`);
    expect(res.status).toBe(200);
    const rows = await stack.grantRows('user_email = $1', [email]);
    expect(rows).toHaveLength(cells.length);
    expect(res.text).toBe(csvLine([...AUDIT_EXPORT_COLUMNS]) + rows.map((r) => csvLine(csvValues(r))).join(''));
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(res.text).toContain(`,'-2+3,failed,,,,'\tleading tab,"'\rleading CR",\r\n`);
    expect(res.text).toContain('fix ⟨U+202E⟩nimda ot ssecca⟨U+202C⟩ ⟨U+2066⟩x⟨U+2069⟩');
    expect(res.text).toContain('ua⟨U+202B⟩z⟨U+2067⟩');
    expect(res.text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('writes NDJSON verbatim: backslashes, quotes, control characters and unicode survive COPY', async () => {
    const email = 'json@example.com';
    const uid = await seedUser(email);
    // NDJSON is for machines: it keeps bidi controls as typed (JSON-escaped by nothing, decoded exactly).
    const reason = 'back\\slash \\n "quotes" \n newline \t tab \u0001 \u0002 \u001f ünï 🚀 \\\\ end\\ \u202Eevil\u202C';
    const id = await seedGrant(uid, email, '2026-08-01T00:00:00Z', { reason, userAgent: 'C:\\Program Files\\x', error: '' });
    const res = await carol.get(`/api/audit/grants/export?format=ndjson&user=${email}`);
    expect(res.status).toBe(200);
    const lines = res.text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const got = JSON.parse(lines[0]!);
    expect(got).toMatchObject({ id, reason, userAgent: 'C:\\Program Files\\x', error: '', groups: ['engineers'] });

    // Field for field what the list shows, also for the awkward rows (nulls, empty and missing groups, line breaks).
    for (const user of [email, 'awkward@example.com']) {
      const nd = (await carol.get(`/api/audit/grants/export?format=ndjson&user=${user}`)).text;
      const listed = (await carol.get(`/api/audit/grants?user=${user}&limit=500`)).json().items;
      expect(listed.length).toBeGreaterThan(0);
      // (A NULL groups column is `[]` in the export, as the contract's grant shape says; the list
      // currently answers null there: a list-side gap, not an export one.)
      const expected = listed.map((g: { groups: string[] | null }) => ({ ...g, groups: g.groups ?? [] }));
      expect(
        nd
          .trimEnd()
          .split('\n')
          .map((l) => grantSchema.parse(JSON.parse(l))),
      ).toEqual(expected);
    }
  });
});

describe('the connection, whatever the client does', () => {
  const bulkEmail = 'bulk@example.com';
  beforeAll(async () => {
    const uid = await seedUser(bulkEmail);
    // Far more than socket buffers hold (~100 MB of CSV), so the export is still running when the client leaves.
    await stack.sql.query(
      `INSERT INTO grants (id, created_at, user_id, user_email, user_subject, idp, groups, kind, status, reason, user_agent)
       SELECT gen_random_uuid(), timestamp '2026-02-01' + i * interval '1 millisecond', $1, $2, $2, 'oidc', '{engineers}', 'cli', 'issued',
         repeat('r', 200), repeat('u', 100)
       FROM generate_series(1, 200000) AS i`,
      [uid, bulkEmail],
    );
  });

  it('a client that aborts mid-download gets its connection released and the COPY stopped on the server', async () => {
    for (const format of ['csv', 'ndjson']) {
      const controller = new AbortController();
      const res = await fetch(`${stack.baseUrl}/api/audit/grants/export?format=${format}&user=${bulkEmail}`, {
        headers: { cookie: carol.jar.header()!, accept: '*/*' },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      // The export is under way: a connection is out and a COPY runs.
      expect(checkedOut()).toBe(1);
      expect(await runningCopies()).toBe(1);
      controller.abort();
      await expect(reader.read()).rejects.toThrow();

      expect(await waitFor(() => checkedOut() === 0), 'pool got its client back').toBe(true);
      expect(await waitFor(async () => (await runningCopies()) === 0), 'COPY stopped on the server').toBe(true);
    }
    // The pool still works: a complete export afterwards.
    const ok = await carol.get(`/api/audit/grants/export?format=ndjson&user=nobody@example.com`);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    expect(await waitFor(() => checkedOut() === 0)).toBe(true);
  });

  it('a complete download returns the connection, with the export statement timeout, to the export pool only', async () => {
    const res = await carol.get(`/api/audit/grants/export?format=csv&user=${bulkEmail}`);
    expect(res.status).toBe(200);
    expect(res.text.split('\r\n')).toHaveLength(200_000 + 2); // header, rows, trailing ''
    expect(await waitFor(() => checkedOut() === 0)).toBe(true);
    const client = await pool().connect();
    try {
      expect((await client.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('5min');
    } finally {
      client.release();
    }
    const main = await stack.database.pool.connect();
    try {
      expect((await main.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('15s');
    } finally {
      main.release();
    }
  });

  it('the database going away mid-stream cuts the download (never a short "complete" file) and leaks no connection', async () => {
    const res = await fetch(`${stack.baseUrl}/api/audit/grants/export?format=csv&user=${bulkEmail}`, {
      headers: { cookie: carol.jar.header()!, accept: '*/*' },
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    stack.proxy.cut();
    try {
      const drain = async () => {
        for (;;) if ((await reader.read()).done) return;
      };
      await expect(drain()).rejects.toThrow();
      expect(await waitFor(() => checkedOut() === 0)).toBe(true);
    } finally {
      stack.proxy.restore();
    }
  });

  it('a database that is unreachable fails opening the export (JSON 503 before any byte), not mid-stream', async () => {
    stack.proxy.cut();
    const direct = new pg.Pool({ connectionString: `postgres://x:y@127.0.0.1:${stack.proxy.port}/z`, connectionTimeoutMillis: 1000 });
    direct.on('error', () => {});
    try {
      await expect(createAuditGrantRepository(direct).openExport({}, 'csv')).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
      expect(direct.totalCount).toBe(0);
    } finally {
      stack.proxy.restore();
      await direct.end();
    }
  });
});
