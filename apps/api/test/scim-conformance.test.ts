import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScimToken, entraUser, oktaUser, patchOp, SCIM_ENV, scimClient, type ScimClient, type ScimResponse } from './support/scim.js';
import { startStack, type Stack } from './support/stack.js';

/*
 * SCIM 2.0 conformance (provisioning): the request bodies of RFC 7643/7644's
 * examples and those Okta and Microsoft Entra ID document for their
 * provisioning agents — create, replace, patch (both vendors' forms),
 * deactivate, delete, filters, pagination, errors and bad tokens. Each
 * change must also land in the append-only scim_changes with the token's
 * label as actor.
 */

let stack: Stack;
let scim: ScimClient;
let tokenId: string;

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

function expectScimError(res: ScimResponse, status: number, scimType?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
  expect(typeof res.body.detail).toBe('string');
  expect(res.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
}

const changeCount = async () => (await stack.sql.query(`SELECT count(*)::int AS n FROM scim_changes`)).rows[0].n as number;
const uid = () => Math.random().toString(36).slice(2, 10);

beforeAll(async () => {
  stack = await startStack({ env: SCIM_ENV });
  const bob = await stack.signIn('bob');
  const t = await createScimToken(bob, 'okta-prod');
  tokenId = t.id;
  scim = scimClient(stack.baseUrl, t.secret);
  // Once the IdP pushes, SCIM groups decide admin and auditor rights too: push the admin and the auditor first.
  for (const [email, group] of [
    ['bob@example.com', 'platform-admins'],
    ['carol@example.com', 'auditors'],
  ] as const) {
    const user = await scim.post('/Users', oktaUser(email));
    await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: group, members: [{ value: user.body.id }] });
  }
});
afterAll(async () => {
  await stack?.close();
});

describe('discovery (RFC 7644 4)', () => {
  it('ServiceProviderConfig says what is supported: patch, filter, etag; no bulk, sort or password change', async () => {
    const res = await scim.get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
    });
    expect(res.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('ResourceTypes and Schemas list User and Group (and the enterprise extension)', async () => {
    const types = await scim.get('/ResourceTypes');
    expect(types.body.schemas).toEqual([LIST_SCHEMA]);
    expect(types.body.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    expect((await scim.get('/ResourceTypes/User')).body.endpoint).toBe('/Users');
    const schemas = await scim.get('/Schemas');
    expect(schemas.body.totalResults).toBe(3);
    const user = (await scim.get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User')).body;
    expect(user.attributes.find((a: { name: string }) => a.name === 'userName')).toMatchObject({ required: true, uniqueness: 'server', caseExact: false });
    expectScimError(await scim.get('/Schemas/urn:nope'), 404);
  });
});

describe('bad tokens (RFC 7644 2)', () => {
  it('no token, a wrong token, a malformed one: 401 SCIM errors with WWW-Authenticate, and nothing is written', async () => {
    const before = await changeCount();
    const body = oktaUser(`intruder-${uid()}@example.com`);
    for (const client of [scimClient(stack.baseUrl, null), scimClient(stack.baseUrl, `rgscim_${'A'.repeat(43)}`), scimClient(stack.baseUrl, 'not-a-token')]) {
      const res = await client.post('/Users', body);
      expectScimError(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectScimError(await client.get('/Users'), 401);
    }
    expect(await changeCount()).toBe(before);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM scim_users WHERE user_name = $1`, [body.userName])).rows[0].n).toBe(0);
  });

  it('a session cookie is no SCIM credential', async () => {
    const bob = await stack.signIn('bob');
    const res = await fetch(`${stack.baseUrl}/scim/v2/Users`, { headers: { cookie: bob.jar.header()! } });
    expect(res.status).toBe(401);
  });

  it('the token is stored only as a keyed hash', async () => {
    const rows = (await stack.sql.query(`SELECT token_hash FROM scim_tokens WHERE id = $1`, [tokenId])).rows;
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify((await stack.sql.query(`SELECT * FROM scim_tokens`)).rows);
    expect(dump).not.toContain('rgscim_');
  });
});

describe('Users', () => {
  it('creates a user from the body Okta sends: 201, Location, ETag, meta; password is not kept; audited with the token label', async () => {
    const body = oktaUser(`dana-${uid()}@example.com`);
    const res = await scim.post('/Users', body);
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const id = res.body.id as string;
    expect(res.headers.get('location')).toBe(`${stack.baseUrl}/scim/v2/Users/${id}`);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: body.userName,
      externalId: body.externalId,
      active: true,
      name: body.name,
      emails: body.emails,
      groups: [],
      meta: { resourceType: 'User', version: 'W/"1"', location: `${stack.baseUrl}/scim/v2/Users/${id}` },
    });
    expect(res.body.password).toBeUndefined();
    const row = (await stack.sql.query(`SELECT data FROM scim_users WHERE id = $1`, [id])).rows[0];
    expect(JSON.stringify(row.data)).not.toContain('never-stored');
    const change = (await stack.sql.query(`SELECT * FROM scim_changes WHERE resource_id = $1`, [id])).rows;
    expect(change).toEqual([expect.objectContaining({ actor: 'scim:okta-prod', token_id: tokenId, action: 'create', resource_type: 'User' })]);
    expect((await scim.get(`/Users/${id}`)).body.userName).toBe(body.userName);
  });

  it('creates a user from the body Entra sends (enterprise extension kept, schemas listed)', async () => {
    const body = entraUser(`erin-${uid()}@example.com`);
    const res = await scim.post('/Users', body);
    expect(res.status, res.text).toBe(201);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']);
    expect(res.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ department: 'Engineering' });
  });

  it('refuses a second user with the same userName in another case: 409 uniqueness, nothing written', async () => {
    const name = `Frank-${uid()}@Example.com`;
    expect((await scim.post('/Users', oktaUser(name))).status).toBe(201);
    const before = await changeCount();
    expectScimError(await scim.post('/Users', oktaUser(name.toLowerCase())), 409, 'uniqueness');
    expect(await changeCount()).toBe(before);
  });

  it('refuses a user without userName, or with active "maybe": 400 invalidValue', async () => {
    expectScimError(await scim.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true }), 400, 'invalidValue');
    expectScimError(await scim.post('/Users', oktaUser(`gina-${uid()}@example.com`, { active: 'maybe' })), 400, 'invalidValue');
  });

  it('finds users by userName eq (any case), externalId eq (exact) and id eq; unknown → empty list', async () => {
    const body = oktaUser(`hank-${uid()}@example.com`);
    const id = (await scim.post('/Users', body)).body.id as string;
    // Okta's exact query: filter plus startIndex and count.
    const byName = await scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${body.userName.toUpperCase()}"`)}&startIndex=1&count=100`);
    expect(byName.status).toBe(200);
    expect(byName.body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(byName.body.Resources[0].id).toBe(id);
    const byExternal = await scim.get(`/Users?filter=${encodeURIComponent(`externalId eq "${body.externalId}"`)}`);
    expect(byExternal.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await scim.get(`/Users?filter=${encodeURIComponent(`externalId eq "${body.externalId.toUpperCase()}"`)}`)).body.totalResults).toBe(0);
    expect((await scim.get(`/Users?filter=${encodeURIComponent(`id eq "${id}"`)}`)).body.totalResults).toBe(1);
    const none = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('refuses filters it does not implement: 400 invalidFilter (never "all users")', async () => {
    for (const f of ['userName sw "a"', 'userName eq "a" or userName eq "b"', 'title eq "x"', 'userName eq unquoted', 'displayName eq "x"']) {
      expectScimError(await scim.get(`/Users?filter=${encodeURIComponent(f)}`), 400, 'invalidFilter');
    }
  });

  it('pages with startIndex and count (RFC 7644 3.4.2.4)', async () => {
    const tag = uid();
    for (let i = 0; i < 5; i++) expect((await scim.post('/Users', oktaUser(`page-${tag}-${i}@example.com`))).status).toBe(201);
    const all = await scim.get('/Users?count=200');
    const total = all.body.totalResults as number;
    expect(total).toBeGreaterThanOrEqual(5);
    const page = await scim.get('/Users?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: total, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((r: { id: string }) => r.id)).toEqual(all.body.Resources.slice(1, 3).map((r: { id: string }) => r.id));
    const countOnly = await scim.get('/Users?count=0');
    expect(countOnly.body).toMatchObject({ totalResults: total, itemsPerPage: 0, Resources: [] });
    expect((await scim.get('/Users?startIndex=0&count=1')).body.startIndex).toBe(1);
    expect((await scim.get(`/Users?startIndex=${total + 1}`)).body).toMatchObject({ totalResults: total, itemsPerPage: 0 });
    expectScimError(await scim.get('/Users?count=lots'), 400, 'invalidValue');
  });

  it('answers 404 for an unknown or malformed id', async () => {
    expectScimError(await scim.get('/Users/00000000-0000-4000-8000-000000000000'), 404);
    expectScimError(await scim.get('/Users/not-a-uuid'), 404);
    expectScimError(await scim.patch('/Users/not-a-uuid', patchOp({ op: 'replace', path: 'active', value: false })), 404);
    expectScimError(await scim.delete('/Users/00000000-0000-4000-8000-000000000000'), 404);
  });

  it('replaces a user with PUT (Okta profile update); If-Match of an older version is 412; If-None-Match of the current one is 304', async () => {
    const body = oktaUser(`ivan-${uid()}@example.com`);
    const id = (await scim.post('/Users', body)).body.id as string;
    const put = await scim.put(
      `/Users/${id}`,
      { ...body, id, name: { givenName: 'Ivan', familyName: 'Renamed' }, displayName: 'Ivan Renamed' },
      { 'if-match': 'W/"1"' },
    );
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'Ivan Renamed', name: { familyName: 'Renamed' }, meta: { version: 'W/"2"' } });
    expect(put.headers.get('etag')).toBe('W/"2"');
    const stale = await scim.put(`/Users/${id}`, { ...body, displayName: 'Stale' }, { 'if-match': 'W/"1"' });
    expectScimError(stale, 412);
    expect((await scim.get(`/Users/${id}`)).body.displayName).toBe('Ivan Renamed');
    expect((await scim.get(`/Users/${id}`, { 'if-none-match': 'W/"2"' })).status).toBe(304);
    const changes = (await stack.sql.query(`SELECT action FROM scim_changes WHERE resource_id = $1 ORDER BY created_at`, [id])).rows.map((r) => r.action);
    expect(changes).toEqual(['create', 'replace']);
  });

  it("applies Okta's PATCH: replace with a value object and no path (deactivate, then reactivate)", async () => {
    const id = (await scim.post('/Users', oktaUser(`judy-${uid()}@example.com`))).body.id as string;
    const off = await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: false } }));
    expect(off.status, off.text).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await stack.sql.query(`SELECT active FROM scim_users WHERE id = $1`, [id])).rows[0].active).toBe(false);
    expect((await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { active: true } }))).body.active).toBe(true);
  });

  it("applies Entra's PATCH forms: capitalised ops, boolean strings, filtered paths, dotted paths, extension paths", async () => {
    const body = entraUser(`kim-${uid()}@example.com`);
    const id = (await scim.post('/Users', body)).body.id as string;
    const res = await scim.patch(
      `/Users/${id}`,
      patchOp(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'kim.new@example.com' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
        { op: 'Replace', path: 'name.familyName', value: 'Newname' },
        { op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: { value: 'boss-id' } },
        { op: 'Replace', value: { 'name.givenName': 'Kimberly', displayName: 'Kimberly Newname' } },
        { op: 'Replace', path: 'active', value: 'False' },
      ),
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      active: false,
      emails: [{ primary: true, type: 'work', value: 'kim.new@example.com' }],
      phoneNumbers: [{ type: 'mobile', value: '+1 555 0100' }],
      name: { familyName: 'Newname', givenName: 'Kimberly', formatted: 'Test User' },
      displayName: 'Kimberly Newname',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engineering', manager: { value: 'boss-id' } },
    });
    const row = (await stack.sql.query(`SELECT active, email_key FROM scim_users WHERE id = $1`, [id])).rows[0];
    expect(row).toEqual({ active: false, email_key: 'kim.new@example.com' });
    expect((await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: 'True' }))).body.active).toBe(true);
    const removed = await scim.patch(`/Users/${id}`, patchOp({ op: 'Remove', path: 'phoneNumbers[type eq "mobile"]' }));
    expect(removed.body.phoneNumbers).toEqual([]);
  });

  it('refuses a bad PATCH with 400 and changes nothing (bad envelope, op, path, value)', async () => {
    const id = (await scim.post('/Users', oktaUser(`leo-${uid()}@example.com`))).body.id as string;
    const version = (await scim.get(`/Users/${id}`)).body.meta.version;
    expectScimError(await scim.patch(`/Users/${id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] }), 400, 'invalidSyntax');
    expectScimError(await scim.patch(`/Users/${id}`, patchOp({ op: 'move', path: 'active', value: false })), 400, 'invalidSyntax');
    expectScimError(await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'emails[type sw "w"].value', value: 'x' })), 400, 'invalidPath');
    expectScimError(await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'urn:example:nope:attr', value: 'x' })), 400, 'invalidPath');
    expectScimError(
      await scim.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'active', value: 'perhaps' })),
      400,
      'invalidValue',
    );
    expectScimError(await scim.patch(`/Users/${id}`, patchOp({ op: 'remove', path: 'userName' })), 400, 'invalidValue');
    expectScimError(await scim.patch(`/Users/${id}`, patchOp({ op: 'remove' })), 400, 'noTarget');
    const after = await scim.get(`/Users/${id}`);
    expect(after.body.meta.version).toBe(version);
    expect(after.body.active).toBe(true);
  });

  it('answers malformed JSON and a wrong content type with SCIM errors', async () => {
    expectScimError(await scim.post('/Users', '{"userName":', { 'content-type': 'application/scim+json' }), 400, 'invalidSyntax');
    expectScimError(await scim.post('/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    expectScimError(await scim.get('/Nope'), 404);
  });

  it('refuses what the database cannot store (NUL, unpaired surrogates, absurd nesting) with 400, not a 500, and writes nothing', async () => {
    const before = await changeCount();
    let deep: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 40; i++) deep = { d: deep };
    for (const body of [
      oktaUser(`nul-${uid()}@example.com`, { displayName: 'a\u0000b' }),
      oktaUser(`sur-${uid()}@example.com`, { title: 'x\ud800y' }),
      oktaUser(`deep-${uid()}@example.com`, { nested: deep }),
      oktaUser(`key-${uid()}@example.com`, { 'bad\u0000key': 1 }),
    ]) {
      expectScimError(await scim.post('/Users', body), 400, 'invalidValue');
    }
    expect(await changeCount()).toBe(before);
  });

  it('deletes a user: 204, then 404; their memberships go; audited', async () => {
    const id = (await scim.post('/Users', oktaUser(`mia-${uid()}@example.com`))).body.id as string;
    const group = await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `g-${uid()}`, members: [{ value: id }] });
    expect((await scim.delete(`/Users/${id}`)).status).toBe(204);
    expectScimError(await scim.get(`/Users/${id}`), 404);
    expect((await scim.get(`/Groups/${group.body.id}`)).body.members).toEqual([]);
    const actions = (await stack.sql.query(`SELECT action FROM scim_changes WHERE resource_id = $1 ORDER BY created_at`, [id])).rows.map((r) => r.action);
    expect(actions).toEqual(['create', 'delete']);
  });
});

describe('Groups', () => {
  async function users(n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await scim.post('/Users', oktaUser(`member-${uid()}@example.com`))).body.id);
    return ids;
  }
  const members = async (groupId: string) => ((await scim.get(`/Groups/${groupId}`)).body.members as { value: string }[]).map((m) => m.value).sort();

  it('creates a group as Okta Push Groups does (with members), finds it by displayName; excludedAttributes=members leaves them out', async () => {
    const [a, b] = await users(2);
    const name = `Engineering ${uid()}`;
    const res = await scim.post('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: name,
      members: [
        { value: a, display: 'a' },
        { value: b, display: 'b' },
      ],
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: name,
      meta: { resourceType: 'Group', version: 'W/"1"' },
    });
    expect(res.body.members.map((m: { value: string }) => m.value).sort()).toEqual([a, b].sort());
    const found = await scim.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${name.toLowerCase()}"`)}&excludedAttributes=members`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].members).toBeUndefined();
    expect((await scim.get(`/Users/${a}`)).body.groups).toEqual([expect.objectContaining({ value: res.body.id, display: name })]);
    expectScimError(
      await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name.toUpperCase() }),
      409,
      'uniqueness',
    );
  });

  it('Okta\'s membership PATCHes: add members, remove members[value eq "id"], rename by replace without path', async () => {
    const [a, b, c] = await users(3);
    const id = (await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `okta-${uid()}`, members: [{ value: a }] }))
      .body.id as string;
    const add = await scim.patch(
      `/Groups/${id}`,
      patchOp({
        op: 'add',
        path: 'members',
        value: [
          { value: b, display: 'b' },
          { value: c, display: 'c' },
        ],
      }),
    );
    expect(add.status, add.text).toBe(204);
    expect(await members(id)).toEqual([a, b, c].sort());
    expect((await scim.patch(`/Groups/${id}`, patchOp({ op: 'remove', path: `members[value eq "${b}"]` }))).status).toBe(204);
    expect(await members(id)).toEqual([a, c].sort());
    const newName = `okta-renamed-${uid()}`;
    expect((await scim.patch(`/Groups/${id}`, patchOp({ op: 'replace', value: { id, displayName: newName } }))).status).toBe(204);
    const g = (await scim.get(`/Groups/${id}`)).body;
    expect(g.displayName).toBe(newName);
    const detail = (await stack.sql.query(`SELECT detail FROM scim_changes WHERE resource_id = $1 AND action = 'patch' ORDER BY created_at`, [id])).rows.map(
      (r) => r.detail,
    );
    expect(detail[0].added.sort()).toEqual([b, c].sort());
    expect(detail[1].removed).toEqual([b]);
  });

  it("Entra's membership PATCHes: Add members, Remove members with a value list, remove all members", async () => {
    const [a, b, c] = await users(3);
    const id = (
      await scim.post('/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        externalId: `8aa1-${uid()}`,
        displayName: `entra-${uid()}`,
        members: [],
      })
    ).body.id as string;
    expect((await scim.patch(`/Groups/${id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: a }, { value: b }, { value: c }] }))).status).toBe(204);
    expect(await members(id)).toEqual([a, b, c].sort());
    expect((await scim.patch(`/Groups/${id}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: a }, { value: c }] }))).status).toBe(204);
    expect(await members(id)).toEqual([b]);
    // Entra replaces displayName with a plain path.
    expect((await scim.patch(`/Groups/${id}`, patchOp({ op: 'Replace', path: 'displayName', value: `entra-renamed-${uid()}` }))).status).toBe(204);
    expect((await scim.patch(`/Groups/${id}`, patchOp({ op: 'remove', path: 'members' }))).status).toBe(204);
    expect(await members(id)).toEqual([]);
  });

  it('refuses a member that is no provisioned user (400 invalidValue) and keeps the group as it was', async () => {
    const [a] = await users(1);
    const id = (
      await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `strict-${uid()}`, members: [{ value: a }] })
    ).body.id as string;
    expectScimError(
      await scim.patch(`/Groups/${id}`, patchOp({ op: 'add', path: 'members', value: [{ value: '00000000-0000-4000-8000-000000000000' }] })),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `bad-${uid()}`, members: [{ value: 'nobody' }] }),
      400,
      'invalidValue',
    );
    expect(await members(id)).toEqual([a]);
    expect((await scim.get(`/Groups/${id}`)).body.meta.version).toBe('W/"1"');
  });

  it('replaces a group with PUT and deletes it', async () => {
    const [a, b] = await users(2);
    const name = `put-${uid()}`;
    const id = (await scim.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: name, members: [{ value: a }] })).body
      .id as string;
    const put = await scim.put(`/Groups/${id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id, displayName: name, members: [{ value: b }] });
    expect(put.status, put.text).toBe(200);
    expect(put.body.members.map((m: { value: string }) => m.value)).toEqual([b]);
    expect((await scim.delete(`/Groups/${id}`)).status).toBe(204);
    expectScimError(await scim.get(`/Groups/${id}`), 404);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM scim_group_members WHERE group_id = $1`, [id])).rows[0].n).toBe(0);
  });
});

describe('the change log', () => {
  it('is append-only for the app: the runtime role can neither rewrite nor delete it', async () => {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: stack.runtimeUrl });
    await client.connect();
    try {
      // What SCIM needs: rows of its own tables, and the cut-off's writes on sessions and CLI tokens.
      const can = await client.query(
        `SELECT t, p, has_table_privilege(current_user, t, p) AS ok
           FROM unnest(ARRAY['scim_users', 'scim_groups', 'scim_group_members', 'scim_tokens', 'scim_errors']) t,
                unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
         UNION ALL SELECT 'web_sessions', 'DELETE', has_table_privilege(current_user, 'web_sessions', 'DELETE')
         UNION ALL SELECT 'cli_tokens', 'UPDATE', has_table_privilege(current_user, 'cli_tokens', 'UPDATE')
         UNION ALL SELECT 'scim_changes', 'INSERT', has_table_privilege(current_user, 'scim_changes', 'INSERT')`,
      );
      expect(can.rows.filter((r) => !r.ok)).toEqual([]);
      expect((await client.query(`SELECT count(*)::int AS n FROM scim_changes`)).rows[0].n).toBeGreaterThan(0);
      await expect(client.query(`UPDATE scim_changes SET actor = 'someone-else'`)).rejects.toThrow(/permission denied/);
      await expect(client.query(`DELETE FROM scim_changes`)).rejects.toThrow(/permission denied/);
      await expect(client.query(`TRUNCATE scim_changes`)).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
    await expect(stack.sql.query(`DELETE FROM scim_changes`)).rejects.toThrow(/append-only/);
  });

  it('is readable by auditors and admins, not by employees', async () => {
    const carol = await stack.signIn('carol'); // auditors
    const alice = await stack.signIn('alice');
    const audit = await carol.get('/api/audit/scim/changes');
    expect(audit.status).toBe(200);
    expect(audit.json().items[0]).toMatchObject({ actor: expect.stringMatching(/^scim:okta-prod$|^bob@example.com$/) });
    expect((await alice.get('/api/audit/scim/changes')).status).toBe(403);
    expect((await alice.get('/api/admin/scim/status')).status).toBe(403);
  });
});

describe('tokens', () => {
  it('several tokens work at once (rotation); a revoked token is refused at once', async () => {
    const bob = await stack.signIn('bob');
    const second = await createScimToken(bob, 'okta-rotation');
    const client2 = scimClient(stack.baseUrl, second.secret);
    expect((await client2.get('/Users?count=1')).status).toBe(200);
    expect((await scim.get('/Users?count=1')).status).toBe(200);
    const revoke = await bob.post(`/api/admin/scim/tokens/${second.id}/revoke`);
    expect(revoke.status, revoke.text).toBe(200);
    expectScimError(await client2.get('/Users?count=1'), 401);
    expect((await scim.get('/Users?count=1')).status).toBe(200);
    const log = (await stack.sql.query(`SELECT action, actor FROM scim_changes WHERE resource_id = $1 ORDER BY created_at`, [second.id])).rows;
    expect(log).toEqual([
      { action: 'create', actor: 'bob@example.com' },
      { action: 'revoke', actor: 'bob@example.com' },
    ]);
    expect((await bob.post(`/api/admin/scim/tokens/${second.id}/revoke`)).status).toBe(404);
  });
});

describe('rate limits', () => {
  let limited: Stack;
  beforeAll(async () => {
    limited = await startStack({ env: { ...SCIM_ENV, RATE_LIMIT_SCIM: '5' } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('past the per-address limit (counted in Postgres, shared by instances) a SCIM request is 429 with Retry-After, as a SCIM error', async () => {
    const token = await createScimToken(await limited.signIn('bob'), 'limited');
    const client = scimClient(limited.baseUrl, token.secret);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await client.get('/ServiceProviderConfig')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const over = await client.post('/Users', oktaUser('over@example.com'));
    expectScimError(over, 429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.sql.query(`SELECT count(*)::int AS n FROM scim_users`)).rows[0].n).toBe(0);
    const other = await limited.startInstance();
    expectScimError(await scimClient(other.baseUrl, token.secret).get('/ServiceProviderConfig'), 429);
    expect((await limited.sql.query(`SELECT count(*)::int AS n FROM rate_limit_hits WHERE key LIKE 'scim:%'`)).rows[0].n).toBe(1);
  });
});
