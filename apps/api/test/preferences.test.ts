import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preferencesResponse } from '@rolegate/contract';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

const MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/ReadOnly", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deployer", maxDurationSeconds: 3600 }
  - { group: platform-admins, roleArn: "arn:aws:iam::222222222222:role/Administrator", maxDurationSeconds: 3600 }
`;

let stack: Stack;
let alice: TestBrowser; // engineers
let bob: TestBrowser; // platform-admins
let ids: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS });
  alice = await stack.signIn('alice');
  bob = await stack.signIn('bob');
  ids = await stack.mappingIds();
});
afterAll(async () => {
  await stack?.close();
});

const prefsRows = async () =>
  (
    await stack.sql.query(
      `SELECT u.email, p.favourites::text[] AS favourites, p.region FROM user_preferences p JOIN users u ON u.id = p.user_id ORDER BY u.email`,
    )
  ).rows;

describe('portal preferences (issue 11 §4: favourites and region kept per person on the server)', () => {
  it('starts empty, saves favourites and region, and each person sees only their own', async () => {
    const first = await alice.get('/api/me/preferences');
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ favourites: [], region: null, recent: [] });

    const put = await alice.request('PUT', '/api/me/preferences', { json: { favourites: [ids.Deployer, ids.Developer], region: 'eu-west-1' } });
    expect(put.status).toBe(200);
    expect(preferencesResponse.parse(put.json())).toMatchObject({ favourites: [ids.Deployer, ids.Developer], region: 'eu-west-1' });
    expect((await alice.get('/api/me/preferences')).json()).toMatchObject({ favourites: [ids.Deployer, ids.Developer], region: 'eu-west-1' });
    expect(await prefsRows()).toEqual([{ email: 'alice@example.com', favourites: [ids.Deployer, ids.Developer], region: 'eu-west-1' }]);

    // Bob's are his own (the user comes from the session, never from the request).
    expect((await bob.get('/api/me/preferences')).json()).toEqual({ favourites: [], region: null, recent: [] });
    await bob.request('PUT', '/api/me/preferences', { json: { favourites: [ids.Administrator], region: null } });
    expect((await alice.get('/api/me/preferences')).json()).toMatchObject({ favourites: [ids.Deployer, ids.Developer], region: 'eu-west-1' });
  });

  it.each([
    ['a non-uuid favourite', { favourites: ['Developer'], region: null }, 'favourites'],
    ['a repeated favourite', { favourites: ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001'], region: null }, 'repeat'],
    ['a bad region', { favourites: [], region: 'eu-west-1; DROP' }, 'region'],
    ['an unknown key', { favourites: [], region: null, userId: '00000000-0000-4000-8000-000000000001' }, 'userId'],
    ['a missing field', { favourites: [] }, 'region'],
  ])('refuses %s with 400 VALIDATION_FAILED and keeps what was saved', async (_name, body, why) => {
    const before = await prefsRows();
    const res = await alice.request('PUT', '/api/me/preferences', { json: body });
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.message).toContain(why);
    expect(await prefsRows()).toEqual(before);
  });

  it('refuses a write without the CSRF token, and signed out (nothing saved)', async () => {
    const before = await prefsRows();
    const noCsrf = await alice.request('PUT', '/api/me/preferences', { json: { favourites: [], region: 'us-east-1' }, csrf: false });
    expect(noCsrf.status).toBe(403);
    const anon = stack.browser();
    // Signed out there is no CSRF token either: refused (403 CSRF_INVALID comes first), nothing saved.
    expect([401, 403]).toContain((await anon.request('PUT', '/api/me/preferences', { json: { favourites: [], region: 'us-east-1' } })).status);
    expect((await anon.get('/api/me/preferences')).status).toBe(401);
    expect(await prefsRows()).toEqual(before);
  });

  it("recent roles come from the person's own issued grants, newest first, each once; denied attempts and others' grants do not count", async () => {
    for (const role of ['ReadOnly', 'Developer', 'ReadOnly']) {
      expect((await alice.post('/api/grants', { entitlementId: ids[role], kind: 'cli' })).status).toBe(201);
    }
    // Not entitled: denied, recorded, not "recent".
    expect((await alice.post('/api/grants', { entitlementId: ids.Administrator, kind: 'cli' })).status).toBe(403);
    expect((await bob.post('/api/grants', { entitlementId: ids.Administrator, kind: 'cli' })).status).toBe(201);

    expect((await alice.get('/api/me/preferences')).json().recent).toEqual([ids.ReadOnly, ids.Developer]);
    expect((await bob.get('/api/me/preferences')).json().recent).toEqual([ids.Administrator]);
  });
});
