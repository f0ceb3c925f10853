import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminChange, adminMapping, importResult, trustPolicyResponse } from '@rolegate/contract';
import { parseMappingsYaml } from '../src/mappings-file.js';
import { BROKER_ARN, startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// "Extra" is known to the AWS emulator (it trusts the broker) but mapped to a
// group nobody has, so an admin can later map it to engineers and a grant works.
const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400, description: Dev }
  - { group: nobody, roleArn: "arn:aws:iam::111111111111:role/Extra", maxDurationSeconds: 3600 }
  - { group: platform-admins, roleArn: "arn:aws:iam::222222222222:role/platform/Administrator", maxDurationSeconds: 3600 }
`;

let stack: Stack;
let bob: TestBrowser; // platform-admins → admin
let carol: TestBrowser; // auditors → auditor
let alice: TestBrowser; // engineers → employee

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS });
  bob = await stack.signIn('bob');
  carol = await stack.signIn('carol');
  alice = await stack.signIn('alice');
});
afterAll(async () => {
  await stack?.close();
});

const count = async (table: string) => (await stack.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;
const mappingRows = async () => (await stack.sql.query(`SELECT * FROM role_mappings ORDER BY id`)).rows;
const accountRows = async () => (await stack.sql.query(`SELECT * FROM accounts ORDER BY id`)).rows;
const changesFor = async (entityId: string) =>
  (await stack.sql.query(`SELECT * FROM admin_changes WHERE entity_id = $1 ORDER BY created_at, id`, [entityId])).rows;

let seq = 0;
/** A group name unique to this test run, so tests do not see each other's mappings. */
const group = (name: string) => `g-${name}-${++seq}`;

function create(body: Record<string, unknown>, as = bob) {
  return as.post('/api/admin/mappings', body);
}

describe('RBAC on every admin route', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/admin/mappings'],
    ['POST', '/api/admin/mappings', { group: 'x', roleArn: 'arn:aws:iam::111111111111:role/Developer' }],
    ['PUT', '/api/admin/mappings/00000000-0000-4000-8000-000000000000', { enabled: false }],
    ['DELETE', '/api/admin/mappings/00000000-0000-4000-8000-000000000000'],
    ['GET', '/api/admin/mappings/export'],
    ['POST', '/api/admin/mappings/import?dryRun=1', { yaml: 'mappings: []' }],
    ['POST', '/api/admin/mappings/import', { yaml: 'mappings: []' }],
    ['GET', '/api/admin/mappings/00000000-0000-4000-8000-000000000000/trust-policy'],
    ['GET', '/api/admin/accounts'],
    ['PUT', '/api/admin/accounts/999999999999', { name: 'evil' }],
    ['DELETE', '/api/admin/accounts/111111111111'],
    ['GET', '/api/admin/changes'],
  ];

  it.each(routes)('%s %s: 401 signed out, 403 FORBIDDEN for an employee and for an auditor, nothing changed', async (method, path, json) => {
    const before = { mappings: await mappingRows(), accounts: await accountRows(), changes: await count('admin_changes') };
    const anon = stack.browser();
    const signedOut = await anon.request(method, path, json === undefined ? {} : { json });
    expect(signedOut.status).toBe(401);
    expect(signedOut.json().error.code).toBe('UNAUTHENTICATED');
    for (const who of [alice, carol]) {
      const res = await who.request(method, path, json === undefined ? {} : { json });
      expect(res.status).toBe(403);
      expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', message: 'This needs the admin role' });
    }
    expect(await mappingRows()).toEqual(before.mappings);
    expect(await accountRows()).toEqual(before.accounts);
    expect(await count('admin_changes')).toBe(before.changes);
  });

  it('refuses a state-changing admin call without the CSRF token (nothing created)', async () => {
    const g = group('csrf');
    const res = await bob.post('/api/admin/mappings', { group: g, roleArn: 'arn:aws:iam::111111111111:role/Developer' }, { csrf: false });
    expect(res.status).toBe(403);
    expect(res.json().error.code).toBe('CSRF_INVALID');
    expect((await stack.sql.query(`SELECT 1 FROM role_mappings WHERE "group" = $1`, [g])).rowCount).toBe(0);
  });
});

describe('mappings', () => {
  it('an admin creates a mapping; a member of the group sees it and a grant works', async () => {
    const res = await create({ group: 'engineers', roleArn: 'arn:aws:iam::111111111111:role/Extra', maxDurationSeconds: 7200, description: 'Extra role' });
    expect(res.status).toBe(201);
    const m = adminMapping.parse(res.json().mapping);
    expect(m).toMatchObject({
      group: 'engineers',
      accountId: '111111111111',
      accountName: 'sandbox',
      roleName: 'Extra',
      maxDurationSeconds: 7200,
      requireReason: false,
      enabled: true,
    });

    const ents = (await alice.get('/api/entitlements')).json().items;
    expect(ents.map((e: { id: string }) => e.id)).toContain(m.id);
    const calls = stack.aws.countCalls('AssumeRole');
    const grant = await alice.post('/api/grants', { entitlementId: m.id, kind: 'cli', durationSeconds: 7200 });
    expect(grant.status).toBe(201);
    expect(grant.json().grant).toMatchObject({ status: 'issued', roleArn: 'arn:aws:iam::111111111111:role/Extra', mappingId: m.id });
    expect(stack.aws.countCalls('AssumeRole')).toBe(calls + 1);
  });

  it('records the creation: who, when, before null, after the mapping', async () => {
    const g = group('log');
    const res = await create({ group: g, roleArn: 'arn:aws:iam::111111111111:role/Developer', requireReason: true });
    const id = res.json().mapping.id;
    const rows = await changesFor(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_email: 'bob@example.com',
      action: 'create',
      entity: 'mapping',
      before: null,
      after: {
        id,
        group: g,
        roleArn: 'arn:aws:iam::111111111111:role/Developer',
        accountId: '111111111111',
        maxDurationSeconds: 3600,
        requireReason: true,
        description: '',
        enabled: true,
      },
    });
    expect(rows[0].actor_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['a partition that does not exist', { roleArn: 'arn:aws-iso:iam::111111111111:role/Developer' }, 'roleArn'],
    ['an 11-digit account', { roleArn: 'arn:aws:iam::11111111111:role/Developer' }, 'roleArn'],
    ['a role name with a space', { roleArn: 'arn:aws:iam::111111111111:role/My Role' }, 'roleArn'],
    ['an empty path segment', { roleArn: 'arn:aws:iam::111111111111:role/team//Dev' }, 'roleArn'],
    ['a user ARN', { roleArn: 'arn:aws:iam::111111111111:user/Dev' }, 'roleArn'],
    ['an account nobody registered', { roleArn: 'arn:aws:iam::444444444444:role/Dev' }, 'roleArn'],
    ['a duration under 900', { maxDurationSeconds: 899 }, 'maxDurationSeconds'],
    ['a duration over 43200', { maxDurationSeconds: 43201 }, 'maxDurationSeconds'],
    ['a fractional duration', { maxDurationSeconds: 1000.5 }, 'maxDurationSeconds'],
    ['a group list', { group: 'dev,admins' }, 'group'],
    ['a group with a trailing space', { group: 'engineers ' }, 'group'],
    ['an empty group', { group: '' }, 'group'],
    ['a client-chosen account id', { accountId: '222222222222' }, 'accountId'],
  ])('refuses %s: 400 naming the field, nothing written', async (_name, patch, field) => {
    const before = { mappings: await mappingRows(), changes: await count('admin_changes') };
    const res = await create({ group: group('bad'), roleArn: 'arn:aws:iam::111111111111:role/Developer', ...patch });
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.message).toContain(field);
    expect(await mappingRows()).toEqual(before.mappings);
    expect(await count('admin_changes')).toBe(before.changes);
  });

  it('refuses a second mapping of the same group to the same role (400, nothing written)', async () => {
    const g = group('dup');
    expect((await create({ group: g, roleArn: 'arn:aws:iam::111111111111:role/Developer' })).status).toBe(201);
    const changes = await count('admin_changes');
    const res = await create({ group: g, roleArn: 'arn:aws:iam::111111111111:role/Developer' });
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('DUPLICATE_MAPPING');
    expect((await stack.sql.query(`SELECT 1 FROM role_mappings WHERE "group" = $1`, [g])).rowCount).toBe(1);
    expect(await count('admin_changes')).toBe(changes);
  });

  it('updates only the fields sent, records before/after, and disabling hides the role from members', async () => {
    const created = (await create({ group: 'engineers', roleArn: 'arn:aws:iam::222222222222:role/Temp', description: 'temp' })).json().mapping;
    expect((await alice.get('/api/entitlements')).json().items.map((e: { id: string }) => e.id)).toContain(created.id);

    const res = await bob.request('PUT', `/api/admin/mappings/${created.id}`, { json: { enabled: false, maxDurationSeconds: 1800 } });
    expect(res.status).toBe(200);
    expect(res.json().mapping).toMatchObject({ id: created.id, enabled: false, maxDurationSeconds: 1800, description: 'temp', group: 'engineers' });
    expect((await alice.get('/api/entitlements')).json().items.map((e: { id: string }) => e.id)).not.toContain(created.id);

    const [, update] = await changesFor(created.id);
    expect(update).toMatchObject({
      action: 'update',
      actor_email: 'bob@example.com',
      before: { enabled: true, maxDurationSeconds: 3600, description: 'temp' },
      after: { enabled: false, maxDurationSeconds: 1800, description: 'temp' },
    });
  });

  it('refuses an update that breaks a rule and leaves the mapping as it was', async () => {
    const created = (await create({ group: group('upd'), roleArn: 'arn:aws:iam::111111111111:role/Developer' })).json().mapping;
    const before = await changesFor(created.id);
    for (const body of [{ maxDurationSeconds: 60 }, { roleArn: 'arn:aws:iam::111111111111:role/' }, {}, { id: 'x' }]) {
      const res = await bob.request('PUT', `/api/admin/mappings/${created.id}`, { json: body });
      expect(res.status).toBe(400);
    }
    const row = (await stack.sql.query(`SELECT * FROM role_mappings WHERE id = $1`, [created.id])).rows[0];
    expect(row.max_duration_seconds).toBe(3600);
    expect(await changesFor(created.id)).toEqual(before);
  });

  it('answers 404 for a mapping that does not exist (uuid or not)', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR '1'='1"]) {
      expect((await bob.request('PUT', `/api/admin/mappings/${encodeURIComponent(id)}`, { json: { enabled: false } })).status).toBe(404);
      expect((await bob.request('DELETE', `/api/admin/mappings/${encodeURIComponent(id)}`)).status).toBe(404);
    }
  });

  it('deletes a mapping and records what it was', async () => {
    const g = group('del');
    const created = (await create({ group: g, roleArn: 'arn:aws:iam::111111111111:role/Developer' })).json().mapping;
    const res = await bob.request('DELETE', `/api/admin/mappings/${created.id}`);
    expect(res.status).toBe(204);
    expect((await stack.sql.query(`SELECT 1 FROM role_mappings WHERE id = $1`, [created.id])).rowCount).toBe(0);
    const [, del] = await changesFor(created.id);
    expect(del).toMatchObject({ action: 'delete', before: { id: created.id, group: g }, after: null });
  });

  it('lists every mapping, disabled ones included', async () => {
    const res = await bob.get('/api/admin/mappings');
    expect(res.status).toBe(200);
    const items = res.json().items.map((m: unknown) => adminMapping.parse(m));
    expect(items.length).toBe((await mappingRows()).length);
    expect(items.some((m: { enabled: boolean }) => !m.enabled)).toBe(true);
  });
});

describe('accounts', () => {
  it('creates and renames an account, recording both; refuses bad ids and names', async () => {
    const created = await bob.request('PUT', '/api/admin/accounts/555555555555', { json: { name: 'staging' } });
    expect(created.status).toBe(200);
    expect(created.json().account).toMatchObject({ id: '555555555555', name: 'staging', mappingCount: 0 });
    const renamed = await bob.request('PUT', '/api/admin/accounts/555555555555', { json: { name: 'Staging EU' } });
    expect(renamed.json().account.name).toBe('Staging EU');
    const log = await changesFor('555555555555');
    expect(log.map((c) => [c.action, c.before, c.after])).toEqual([
      ['create', null, { id: '555555555555', name: 'staging' }],
      ['update', { id: '555555555555', name: 'staging' }, { id: '555555555555', name: 'Staging EU' }],
    ]);

    const accounts = await accountRows();
    for (const [id, body, field] of [
      ['55555555555', { name: 'x' }, 'id'],
      ['abcdefghijkl', { name: 'x' }, 'id'],
      ['666666666666', { name: '   ' }, 'name'],
      ['666666666666', { name: 'x', extra: 1 }, 'extra'],
    ] as const) {
      const res = await bob.request('PUT', `/api/admin/accounts/${id}`, { json: body });
      expect(res.status).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    expect(await accountRows()).toEqual(accounts);

    const list = (await bob.get('/api/admin/accounts')).json().items;
    expect(list.find((a: { id: string }) => a.id === '111111111111')).toMatchObject({ name: 'sandbox' });
    expect(list.find((a: { id: string }) => a.id === '111111111111').mappingCount).toBeGreaterThan(0);
  });

  it('deletes an account no mapping uses, recording it; 409 ACCOUNT_IN_USE while a mapping uses it; 404 for an unknown id', async () => {
    await bob.request('PUT', '/api/admin/accounts/565656565656', { json: { name: 'unused' } });
    const deleted = await bob.request('DELETE', '/api/admin/accounts/565656565656');
    expect(deleted.status).toBe(204);
    expect((await accountRows()).find((a) => a.id === '565656565656')).toBeUndefined();
    expect((await changesFor('565656565656')).map((c) => [c.action, c.entity, c.before, c.after, c.actor_email])).toEqual([
      ['create', 'account', null, { id: '565656565656', name: 'unused' }, 'bob@example.com'],
      ['delete', 'account', { id: '565656565656', name: 'unused' }, null, 'bob@example.com'],
    ]);

    // In use: refused with a stable code, the account and its mappings stay, nothing is recorded.
    const before = { mappings: await mappingRows(), accounts: await accountRows(), changes: await count('admin_changes') };
    const inUse = await bob.request('DELETE', '/api/admin/accounts/111111111111');
    expect(inUse.status).toBe(409);
    expect(inUse.json().error).toMatchObject({ code: 'ACCOUNT_IN_USE', details: { mappingCount: expect.any(Number) } });
    expect(inUse.json().error.message).toMatch(/used by \d+ mapping/);
    for (const id of ['565656565656', '12345', 'abc']) {
      const missing = await bob.request('DELETE', `/api/admin/accounts/${id}`);
      expect(missing.status).toBe(404);
      expect(missing.json().error.code).toBe('NOT_FOUND');
    }
    expect(await mappingRows()).toEqual(before.mappings);
    expect(await accountRows()).toEqual(before.accounts);
    expect(await count('admin_changes')).toBe(before.changes);
  });
});

describe('YAML export and import', () => {
  it('exports the MAPPINGS_FILE format; importing the export unchanged is a no-op', async () => {
    const res = await bob.get('/api/admin/mappings/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/yaml');
    const doc = parseMappingsYaml(res.text);
    const rows = await mappingRows();
    expect(doc.mappings).toHaveLength(rows.length);
    expect(doc.accounts.map((a) => a.id)).toEqual((await accountRows()).map((a) => a.id));

    const dry = await bob.post('/api/admin/mappings/import?dryRun=1', { yaml: res.text });
    expect(dry.status).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, created: [], updated: [], deleted: [], unchanged: rows.length, accounts: { created: [], updated: [] } });
  });

  it('a dry run shows the diff and changes nothing; applying makes exactly that change and records it', async () => {
    const exported = parseMappingsYaml((await bob.get('/api/admin/mappings/export')).text);
    const victim = exported.mappings.find((m) => m.group === 'nobody')!;
    const changed = exported.mappings.find((m) => m.roleArn.endsWith('/platform/Administrator'))!;
    const next = {
      accounts: [...exported.accounts, { id: '777777777777', name: 'imported' }],
      mappings: [
        ...exported.mappings.filter((m) => m !== victim && m !== changed),
        { ...changed, maxDurationSeconds: 1800, description: 'shorter' },
        {
          group: 'importers',
          roleArn: 'arn:aws:iam::777777777777:role/Imported',
          maxDurationSeconds: 900,
          requireReason: true,
          description: 'new',
          enabled: true,
        },
      ],
    };
    const yaml = JSON.stringify(next); // JSON is YAML
    const before = { mappings: await mappingRows(), accounts: await accountRows(), changes: await count('admin_changes') };

    const dry = await bob.post('/api/admin/mappings/import?dryRun=1', { yaml });
    expect(dry.status).toBe(200);
    const diff = importResult.parse(dry.json());
    expect(diff.dryRun).toBe(true);
    expect(diff.created).toEqual([
      {
        group: 'importers',
        roleArn: 'arn:aws:iam::777777777777:role/Imported',
        accountId: '777777777777',
        maxDurationSeconds: 900,
        requireReason: true,
        description: 'new',
        enabled: true,
      },
    ]);
    expect(diff.updated).toHaveLength(1);
    expect(diff.updated[0]).toMatchObject({ before: { maxDurationSeconds: 3600 }, after: { maxDurationSeconds: 1800, description: 'shorter' } });
    expect(diff.deleted.map((d) => d.roleArn)).toEqual([victim.roleArn]);
    expect(diff.accounts.created).toEqual([{ id: '777777777777', name: 'imported' }]);
    expect(await mappingRows()).toEqual(before.mappings);
    expect(await accountRows()).toEqual(before.accounts);
    expect(await count('admin_changes')).toBe(before.changes);

    const applied = await bob.post('/api/admin/mappings/import', { yaml });
    expect(applied.status).toBe(200);
    expect({ ...applied.json(), dryRun: true }).toEqual(diff);
    const rows = await mappingRows();
    expect(rows.find((r) => r.role_arn === victim.roleArn && r.group === 'nobody')).toBeUndefined();
    expect(rows.find((r) => r.role_arn === changed.roleArn)).toMatchObject({ max_duration_seconds: 1800, description: 'shorter' });
    expect(rows.find((r) => r.group === 'importers')).toMatchObject({ account_id: '777777777777', require_reason: true });
    const newChanges = (await stack.sql.query(`SELECT action, entity FROM admin_changes ORDER BY created_at DESC, id DESC LIMIT 4`)).rows;
    expect(await count('admin_changes')).toBe(before.changes + 4);
    expect(newChanges.map((c) => `${c.entity}:${c.action}`).sort()).toEqual(['account:create', 'mapping:create', 'mapping:delete', 'mapping:update']);
  });

  it.each([
    ['malformed YAML', 'mappings: [ {group: a', /not valid YAML/],
    [
      'a duplicate (group, roleArn)',
      `accounts: [{id: "111111111111", name: sandbox}]\nmappings:\n  - {group: dupe, roleArn: "arn:aws:iam::111111111111:role/Developer"}\n  - {group: dupe, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 900}`,
      /duplicate/,
    ],
    [
      'an invalid ARN',
      `accounts: [{id: "111111111111", name: sandbox}]\nmappings:\n  - {group: ok, roleArn: "arn:aws:iam::111111111111:role/Developer"}\n  - {group: bad, roleArn: "arn:aws:ec2::111111111111:role/X"}`,
      /mappings\.1\.roleArn/,
    ],
    [
      'a duration out of range',
      `accounts: [{id: "111111111111", name: sandbox}]\nmappings:\n  - {group: ok, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 50000}`,
      /maxDurationSeconds/,
    ],
    [
      'a group list',
      `accounts: [{id: "111111111111", name: sandbox}]\nmappings:\n  - {group: "a,b", roleArn: "arn:aws:iam::111111111111:role/Developer"}`,
      /mappings\.0\.group/,
    ],
    ['an unlisted account', `accounts: []\nmappings:\n  - {group: ok, roleArn: "arn:aws:iam::111111111111:role/Developer"}`, /not listed under accounts/],
    ['an unknown key', `mappings: []\nroles: []`, /roles/],
    ['an empty document (would delete everything)', '', /no "mappings" key/],
    [
      'a YAML bomb',
      `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nmappings: [*f]`,
      /YAML|mappings/,
    ],
  ])('refuses %s with 400 (dry run and apply alike) and applies nothing', async (_name, yaml, why) => {
    const before = { mappings: await mappingRows(), accounts: await accountRows(), changes: await count('admin_changes') };
    for (const path of ['/api/admin/mappings/import?dryRun=1', '/api/admin/mappings/import']) {
      const res = await bob.post(path, { yaml });
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toMatch(why);
    }
    expect(await mappingRows()).toEqual(before.mappings);
    expect(await accountRows()).toEqual(before.accounts);
    expect(await count('admin_changes')).toBe(before.changes);
  });

  it('takes JSON only: raw text/yaml is a 415, a bad dryRun value a 400', async () => {
    const raw = await bob.request('POST', '/api/admin/mappings/import', { body: 'mappings: []', headers: { 'content-type': 'text/yaml' } });
    expect(raw.status).toBe(415);
    const bad = await bob.post('/api/admin/mappings/import?dryRun=maybe', { yaml: 'mappings: []' });
    expect(bad.status).toBe(400);
    expect(bad.json().error.message).toContain('dryRun');
    expect((await mappingRows()).length).toBeGreaterThan(0);
  });
});

describe('trust policy', () => {
  it("trusts the broker's principal for AssumeRole, SetSourceIdentity and TagSession", async () => {
    const m = (await bob.get('/api/admin/mappings')).json().items.find((x: { roleName: string }) => x.roleName === 'Developer');
    const res = await bob.get(`/api/admin/mappings/${m.id}/trust-policy`);
    expect(res.status).toBe(200);
    const body = trustPolicyResponse.parse(res.json());
    expect(body).toMatchObject({ roleArn: m.roleArn, brokerPrincipalArn: BROKER_ARN, warnings: [] });
    expect(body.policy.Statement).toEqual([
      { Sid: 'RolegateBroker', Effect: 'Allow', Principal: { AWS: BROKER_ARN }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] },
    ]);
    expect((await bob.get('/api/admin/mappings/00000000-0000-4000-8000-000000000000/trust-policy')).status).toBe(404);
  });
});

describe('change history', () => {
  it('pages newest first with a stable cursor and validates its query', async () => {
    const first = await bob.get('/api/admin/changes?limit=2');
    expect(first.status).toBe(200);
    const p1 = first.json();
    expect(p1.items).toHaveLength(2);
    p1.items.forEach((c: unknown) => adminChange.parse(c));
    expect(p1.items[0].actor).toMatchObject({ email: 'bob@example.com' });
    const p2 = (await bob.get(`/api/admin/changes?limit=2&cursor=${p1.nextCursor}`)).json();
    expect(p2.items.map((c: { id: string }) => c.id)).not.toContain(p1.items[0].id);
    expect(new Date(p2.items[0].createdAt).getTime()).toBeLessThanOrEqual(new Date(p1.items[1].createdAt).getTime());

    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['entity=user', 'entity'],
      ['sort=asc', 'sort'],
    ]) {
      const res = await bob.get(`/api/admin/changes?${q}`);
      expect(res.status).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
  });

  it('is append-only in the database itself', async () => {
    await expect(stack.sql.query(`UPDATE admin_changes SET actor_email = 'mallory@example.com'`)).rejects.toThrow(/append-only/);
    await expect(stack.sql.query(`DELETE FROM admin_changes`)).rejects.toThrow(/append-only/);
    await expect(stack.sql.query(`TRUNCATE admin_changes`)).rejects.toThrow(/append-only/);
    expect(await count('admin_changes')).toBeGreaterThan(0);
  });
});
