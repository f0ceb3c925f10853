import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startStack, SANDBOX_DEVELOPER, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';
import { parseMappingsYaml } from '../src/mappings-file.js';

// The approval policy of a mapping (issue 14): admin API, YAML, validation and the change log.

let stack: Stack;
let bob: TestBrowser;
const ROLE = 'arn:aws:iam::111111111111:role/Developer';

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: SANDBOX_DEVELOPER });
  bob = await stack.signIn('bob');
});
afterAll(async () => {
  await stack?.close();
});

describe('policy fields on the admin API', () => {
  it('refuses an approval mapping without approvers, naming the field, and stores nothing', async () => {
    const res = await bob.post('/api/admin/mappings', { group: 'ops-a', roleArn: ROLE, access: 'approval' });
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toEqual(['approvers']);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM role_mappings WHERE "group" = 'ops-a'`)).rows[0].n).toBe(0);
  });

  it('refuses break-glass on an instant mapping and unknown policy fields', async () => {
    const bg = await bob.post('/api/admin/mappings', { group: 'ops-b', roleArn: ROLE, breakGlass: true });
    expect(bg.status).toBe(400);
    expect(bg.json().error.details.issues[0].path).toBe('breakGlass');
    const unknown = await bob.post('/api/admin/mappings', { group: 'ops-b', roleArn: ROLE, approverz: ['x'] });
    expect(unknown.status).toBe(400);
  });

  it('creates an approval mapping with stages and escalation; the change log records the policy', async () => {
    const body = {
      group: 'ops-c',
      roleArn: ROLE,
      access: 'approval',
      stages: [
        { approvers: ['leads'], approvals: 1 },
        { approvers: ['security'], approvals: 2 },
      ],
      pendingTimeoutSeconds: 7200,
      escalateAfterSeconds: 3600,
      escalateTo: ['managers'],
      breakGlass: true,
      reviewWithinSeconds: 14400,
    };
    const res = await bob.post('/api/admin/mappings', body);
    expect(res.status, res.text).toBe(201);
    const m = res.json().mapping;
    expect(m).toMatchObject({ ...body, approvers: [], approvals: 1 });
    const change = (await bob.get(`/api/admin/changes?entity=mapping&entityId=${m.id}`)).json().items[0];
    expect(change.after).toMatchObject({ access: 'approval', stages: body.stages, breakGlass: true });

    const upd = await bob.request('PUT', `/api/admin/mappings/${m.id}`, {
      json: { access: 'instant', stages: [], escalateAfterSeconds: null, escalateTo: [], breakGlass: false },
    });
    expect(upd.status, upd.text).toBe(200);
    expect(upd.json().mapping.access).toBe('instant');
    const changes = (await bob.get(`/api/admin/changes?entity=mapping&entityId=${m.id}`)).json().items;
    expect(changes[0].before.access).toBe('approval');
    expect(changes[0].after.access).toBeUndefined(); // instant is the default: not restated
  });

  it('exports the policy of approval mappings to YAML, and the export imports back unchanged', async () => {
    const created = await bob.post('/api/admin/mappings', { group: 'ops-d', roleArn: ROLE, access: 'approval', approvers: ['leads'], approvals: 2 });
    expect(created.status).toBe(201);
    const yamlText = (await bob.get('/api/admin/mappings/export')).text;
    const doc = parse(yamlText) as { mappings: Record<string, unknown>[] };
    expect(doc.mappings.find((x) => x.group === 'ops-d')).toMatchObject({ access: 'approval', approvers: ['leads'], approvals: 2 });
    expect(doc.mappings.find((x) => x.group === 'engineers')!.access).toBeUndefined();
    const dry = await bob.post('/api/admin/mappings/import?dryRun=1', { yaml: yamlText });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.json()).toMatchObject({ created: [], updated: [], deleted: [] });
  });

  it('an import that changes only the policy is an update', async () => {
    const yamlText = (await bob.get('/api/admin/mappings/export')).text.replace('approvals: 2', 'approvals: 3');
    const dry = (await bob.post('/api/admin/mappings/import?dryRun=1', { yaml: yamlText })).json();
    expect(dry.updated).toHaveLength(1);
    expect(dry.updated[0].before.approvals).toBe(2);
    expect(dry.updated[0].after.approvals).toBe(3);
  });
});

describe('the mappings file', () => {
  it('reads policy fields and refuses a misspelt one', () => {
    const doc = parseMappingsYaml(`
accounts: [{ id: "111111111111", name: s }]
mappings:
  - { group: eng, roleArn: "${ROLE}", access: approval, approvers: [leads], breakGlass: true }
`);
    expect(doc.mappings[0]).toMatchObject({ access: 'approval', approvers: ['leads'], breakGlass: true });
    expect(() => parseMappingsYaml(`mappings:\n  - { group: eng, roleArn: "${ROLE}", acess: approval }\n`)).toThrow(/acess|Unrecognized/);
  });
});
