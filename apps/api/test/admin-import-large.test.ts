import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResult } from '@rolegate/contract';
import { parseMappingsYaml } from '../src/mappings-file.js';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// 2,000 mappings over 20 accounts, with descriptions long enough that the export is over 1 MB.
const ACCOUNTS = Array.from({ length: 20 }, (_, i) => ({ id: String(300000000000 + i), name: `acct-${i}` }));
const description = (i: number) => `Mapping ${i}: ${'the long description an admin writes, with details. '.repeat(10)}`;
const MAPPINGS = Array.from({ length: 2000 }, (_, i) => ({
  group: `team-${i % 50}`,
  roleArn: `arn:aws:iam::${ACCOUNTS[i % 20]!.id}:role/Role${i}`,
  maxDurationSeconds: 3600,
  description: description(i),
}));

let stack: Stack;
let bob: TestBrowser; // platform-admins → admin

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: JSON.stringify({ accounts: ACCOUNTS, mappings: MAPPINGS }) });
  bob = await stack.signIn('bob');
}, 180_000);
afterAll(async () => {
  await stack?.close();
});

describe('YAML import of what the export produces (issue 11 §5: the import stopped at 32 KB)', () => {
  it('a 2,000-mapping export over 1 MB imports: dry run shows the diff, applying makes it', async () => {
    const exported = await bob.get('/api/admin/mappings/export');
    expect(exported.status).toBe(200);
    expect(Buffer.byteLength(exported.text)).toBeGreaterThan(1_000_000);
    expect(parseMappingsYaml(exported.text).mappings).toHaveLength(2000);

    const same = await bob.post('/api/admin/mappings/import?dryRun=1', { yaml: exported.text });
    expect(same.status).toBe(200);
    expect(same.json()).toMatchObject({ dryRun: true, created: [], updated: [], deleted: [], unchanged: 2000 });

    // Change one duration in the exported text, as an admin editing the file would.
    const edited = exported.text.replace(/(role\/Role7\n(?:.*\n)*?\s+maxDurationSeconds: )3600/, '$11800');
    expect(edited).not.toBe(exported.text);
    const dry = importResult.parse((await bob.post('/api/admin/mappings/import?dryRun=1', { yaml: edited })).json());
    expect(dry).toMatchObject({ created: [], deleted: [], unchanged: 1999 });
    expect(dry.updated.map((u) => [u.after.roleArn, u.after.maxDurationSeconds])).toEqual([[MAPPINGS[7]!.roleArn, 1800]]);
    const before = (await stack.sql.query(`SELECT max_duration_seconds FROM role_mappings WHERE role_arn = $1`, [MAPPINGS[7]!.roleArn])).rows;
    expect(before).toEqual([{ max_duration_seconds: 3600 }]);

    const applied = await bob.post('/api/admin/mappings/import', { yaml: edited });
    expect(applied.status).toBe(200);
    const after = (await stack.sql.query(`SELECT max_duration_seconds FROM role_mappings WHERE role_arn = $1`, [MAPPINGS[7]!.roleArn])).rows;
    expect(after).toEqual([{ max_duration_seconds: 1800 }]);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM role_mappings`)).rows[0].n).toBe(2000);
  }, 120_000);

  it('the whole round trip: every mapping removed, then the export imported again creates all 2,000 in one transaction and exports the same document', async () => {
    const exported = (await bob.get('/api/admin/mappings/export')).text;
    const accountsOnly = JSON.stringify({ accounts: ACCOUNTS, mappings: [] });
    const wiped = await bob.post('/api/admin/mappings/import', { yaml: accountsOnly });
    expect(wiped.status).toBe(200);
    expect(wiped.json().deleted).toHaveLength(2000);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM role_mappings`)).rows[0].n).toBe(0);

    const dry = await bob.post('/api/admin/mappings/import?dryRun=1', { yaml: exported });
    expect(dry.status).toBe(200);
    expect(dry.json().created).toHaveLength(2000);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM role_mappings`)).rows[0].n).toBe(0);

    const changesBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM admin_changes`)).rows[0].n as number;
    const applied = await bob.post('/api/admin/mappings/import', { yaml: exported });
    expect(applied.status, applied.text.slice(0, 300)).toBe(200);
    expect(applied.json().created).toHaveLength(2000);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM role_mappings`)).rows[0].n).toBe(2000);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM admin_changes`)).rows[0].n).toBe(changesBefore + 2000);
    expect((await bob.get('/api/admin/mappings/export')).text).toBe(exported);
  }, 180_000);

  it("the larger limit is the import route's alone: other admin writes keep the 32 KB limit", async () => {
    const big = await bob.request('PUT', `/api/admin/accounts/${ACCOUNTS[0]!.id}`, { json: { name: 'x'.repeat(40_000) } });
    expect(big.status).toBe(413);
    expect(big.json().error.code).toBeTypeOf('string');
    expect((await stack.sql.query(`SELECT name FROM accounts WHERE id = $1`, [ACCOUNTS[0]!.id])).rows[0].name).toBe('acct-0');
  });

  it('signed out, a large import body is refused before it is read (401)', async () => {
    const res = await fetch(`${stack.baseUrl}/api/admin/mappings/import?dryRun=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.baseUrl },
      body: JSON.stringify({ yaml: 'x'.repeat(2_000_000) }),
    });
    expect(res.status).toBe(401);
  });
});
