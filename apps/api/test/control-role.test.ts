import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMappingsYaml } from '../src/mappings-file.js';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

/*
 * An account's control role (controlRoleArn): set and cleared through the
 * admin API, change-logged, validated (a role of that same account), and
 * carried through the YAML export and import.
 */

const ACCT = '444444444444';
const CONTROL = `arn:aws:iam::${ACCT}:role/ops/RolegateControl`;
const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 3600 }
`;

let stack: Stack;
let bob: TestBrowser;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS });
  bob = await stack.signIn('bob');
});
afterAll(async () => {
  await stack?.close();
});

const controlColumn = async (id: string) =>
  (await stack.sql.query<{ control_role_arn: string | null }>(`SELECT control_role_arn FROM accounts WHERE id = $1`, [id])).rows[0]?.control_role_arn;

const changes = async (id: string) =>
  (
    await stack.sql.query<{ action: string; before: unknown; after: unknown }>(
      `SELECT action, before, after FROM admin_changes WHERE entity = 'account' AND entity_id = $1 ORDER BY created_at, id`,
      [id],
    )
  ).rows;

describe('controlRoleArn through the admin API', () => {
  it('sets, keeps (field absent), and clears the control role, recording each change', async () => {
    const created = await bob.request('PUT', `/api/admin/accounts/${ACCT}`, { json: { name: 'ops', controlRoleArn: CONTROL } });
    expect(created.status).toBe(200);
    expect(created.json().account).toMatchObject({ id: ACCT, name: 'ops', controlRoleArn: CONTROL });
    expect(await controlColumn(ACCT)).toBe(CONTROL);

    const renamed = await bob.request('PUT', `/api/admin/accounts/${ACCT}`, { json: { name: 'Operations' } });
    expect(renamed.json().account.controlRoleArn).toBe(CONTROL);

    const cleared = await bob.request('PUT', `/api/admin/accounts/${ACCT}`, { json: { name: 'Operations', controlRoleArn: null } });
    expect(cleared.json().account.controlRoleArn).toBeNull();
    expect(await controlColumn(ACCT)).toBeNull();

    expect((await changes(ACCT)).map((c) => [c.action, c.before, c.after])).toEqual([
      ['create', null, { id: ACCT, name: 'ops', controlRoleArn: CONTROL }],
      ['update', { id: ACCT, name: 'ops', controlRoleArn: CONTROL }, { id: ACCT, name: 'Operations', controlRoleArn: CONTROL }],
      ['update', { id: ACCT, name: 'Operations', controlRoleArn: CONTROL }, { id: ACCT, name: 'Operations' }],
    ]);
    const listed = (await bob.get('/api/admin/accounts')).json().items.find((a: { id: string }) => a.id === ACCT);
    expect(listed).toMatchObject({ controlRoleArn: null });
  });

  it('refuses a control role of another account or one that is not a role ARN (400, field named, nothing written)', async () => {
    const id = '454545454545';
    for (const controlRoleArn of ['arn:aws:iam::111111111111:role/RolegateControl', 'arn:aws:iam::454545454545:user/x', 'RolegateControl']) {
      const res = await bob.request('PUT', `/api/admin/accounts/${id}`, { json: { name: 'x', controlRoleArn } });
      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toContain('controlRoleArn');
    }
    expect(await controlColumn(id)).toBeUndefined();
    expect(await changes(id)).toEqual([]);
  });
});

describe('controlRoleArn through YAML', () => {
  it('export carries it; an import changes it (diff and change log) and a round trip is a no-op', async () => {
    await bob.request('PUT', `/api/admin/accounts/${ACCT}`, { json: { name: 'ops', controlRoleArn: CONTROL } });
    const exported = (await bob.get('/api/admin/mappings/export')).text;
    const doc = parseMappingsYaml(exported);
    expect(doc.accounts.find((a) => a.id === ACCT)).toEqual({ id: ACCT, name: 'ops', controlRoleArn: CONTROL });
    // Accounts without one export as before (no key).
    expect(doc.accounts.find((a) => a.id === '111111111111')).toEqual({ id: '111111111111', name: 'sandbox' });

    const same = await bob.post('/api/admin/mappings/import?dryRun=1', { yaml: exported });
    expect(same.json().accounts).toEqual({ created: [], updated: [] });

    const other = `arn:aws:iam::${ACCT}:role/RolegateControl2`;
    const changed = exported.replace(CONTROL, other);
    const applied = await bob.post('/api/admin/mappings/import', { yaml: changed });
    expect(applied.status).toBe(200);
    expect(applied.json().accounts.updated).toEqual([
      { before: { id: ACCT, name: 'ops', controlRoleArn: CONTROL }, after: { id: ACCT, name: 'ops', controlRoleArn: other } },
    ]);
    expect(await controlColumn(ACCT)).toBe(other);
    expect((await changes(ACCT)).at(-1)).toMatchObject({ action: 'update', after: { id: ACCT, name: 'ops', controlRoleArn: other } });
  });

  it('refuses a document whose control role is in another account; nothing changes', async () => {
    const before = await controlColumn(ACCT);
    const yaml = `accounts:\n  - { id: "${ACCT}", name: ops, controlRoleArn: "arn:aws:iam::111111111111:role/X" }\n  - { id: "111111111111", name: sandbox }\nmappings:\n  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 3600 }\n`;
    const res = await bob.post('/api/admin/mappings/import', { yaml });
    expect(res.status).toBe(400);
    expect(res.json().error.message).toContain(`accounts.0.controlRoleArn: must be a role in account ${ACCT}`);
    expect(await controlColumn(ACCT)).toBe(before);
  });
});
