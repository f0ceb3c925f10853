import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, CLI_TEST_MAPPINGS, cliTokenFor, formFields, postForm, runCli, startCli } from './cli-support.js';
import { createScimToken, oktaUser, patchOp, SCIM_ENV, scimClient, type ScimClient } from './support/scim.js';
import type { TestBrowser } from './support/http-client.js';
import { startStack, type Stack } from './support/stack.js';

/*
 * With SCIM on, SCIM group membership is the truth for entitlements
 * (provisioning): a membership the IdP removes counts on the person's very
 * next request — browser or CLI — and deactivating or deleting a person ends
 * their browser sessions and revokes their CLI tokens at once, in the audit
 * trail with the IdP as actor.
 */

let stack: Stack;
let scim: ScimClient;
let home: string;
let env: Record<string, string>;
const ids: Record<string, string> = {};
let engineersId: string;

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const userIdOf = async (email: string) => (await stack.sql.query(`SELECT id FROM users WHERE email = $1`, [email])).rows[0].id as string;
const sessionsOf = async (email: string) =>
  (await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions WHERE user_id = $1`, [await userIdOf(email)])).rows[0].n as number;
const entitledRoles = async (b: TestBrowser) => ((await b.get('/api/entitlements')).json().items as { roleName: string }[]).map((i) => i.roleName).sort();

/** `rolegate login` approved in `b`'s browser over HTTP (the real CLI, loopback flow). */
async function cliLogin(b: TestBrowser) {
  const cli = startCli(['login', '--url', stack.baseUrl, '--label', 'laptop'], env);
  const [loginUrl] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/cli\/login\?\S+/);
  const page = await b.get(loginUrl!, { accept: 'text/html' });
  const res = await postForm(b, '/cli/login', formFields(page.text));
  expect(res.status).toBe(302);
  expect((await fetch(res.location!)).status).toBe(200);
  const done = await cli.exited;
  expect(done.code, done.stderr).toBe(0);
}

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: CLI_TEST_MAPPINGS, env: SCIM_ENV });
  home = await mkdtemp(path.join(os.tmpdir(), 'rolegate-scim-cli-'));
  env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), AWS_CONFIG_FILE: path.join(home, 'aws', 'config'), BROWSER: 'none' };
});
afterAll(async () => {
  await stack?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('before the IdP pushes anything', () => {
  it('the sign-in groups still count (so an admin can sign in and make the first token)', async () => {
    const alice = await stack.signIn('alice');
    expect(await entitledRoles(alice)).toEqual(['Developer', 'ReadOnly']);
    const bob = await stack.signIn('bob');
    const token = await createScimToken(bob, 'okta');
    scim = scimClient(stack.baseUrl, token.secret);
    for (const email of ['alice@example.com', 'bob@example.com', 'carol@example.com']) ids[email] = (await scim.post('/Users', oktaUser(email))).body.id;
    engineersId = (await scim.post('/Groups', { schemas: [GROUP], displayName: 'engineers', members: [{ value: ids['alice@example.com'] }] })).body.id;
    await scim.post('/Groups', { schemas: [GROUP], displayName: 'platform-admins', members: [{ value: ids['bob@example.com'] }] });
    expect((await bob.get('/api/admin/scim/status')).json()).toMatchObject({
      enabled: true,
      provisioned: true,
      users: 3,
      activeUsers: 3,
      groups: 2,
      memberships: 2,
    });
  });
});

describe('SCIM groups are the truth', () => {
  it('a person SCIM does not put in a group has no roles, whatever their sign-in said', async () => {
    const carol = await stack.signIn('carol'); // auditors at sign-in; in no SCIM group
    expect((await carol.me()).json().user.groups).toEqual([]);
    expect((await carol.get('/api/audit/grants')).status).toBe(403);
  });

  it('removing a person from a group takes effect on their next CLI call and browser request (real CLI; recorded as denied)', async () => {
    const alice = await stack.signIn('alice');
    await cliLogin(alice);
    const ok = await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).AccessKeyId).toMatch(/^ASIA/);
    const assumeBefore = stack.aws.countCalls('AssumeRole');

    // Okta removes alice from engineers.
    const removed = await scim.patch(`/Groups/${engineersId}`, patchOp({ op: 'remove', path: `members[value eq "${ids['alice@example.com']}"]` }));
    expect(removed.status).toBe(204);

    const refused = await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer'], env);
    expect(refused.code, refused.stderr).toBe(5);
    expect(refused.stderr).toMatch(/Not entitled/);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumeBefore);
    // The CLI's own token, asking for the grant directly: 403, recorded as denied with the groups SCIM gave.
    const session = JSON.parse(await readFile(path.join(home, 'xdg', 'rolegate', 'session.json'), 'utf8')) as { token: string };
    const direct = await bearer(stack.baseUrl, session.token, 'POST', '/api/grants', {
      json: { entitlementId: await stack.mappingId('arn:aws:iam::111111111111:role/Developer'), kind: 'cli' },
    });
    expect(direct.status).toBe(403);
    expect(direct.json().error.code).toBe('NOT_ENTITLED');
    const [denied] = await stack.grantRows(`status = 'denied'`);
    expect(denied).toMatchObject({ kind: 'cli', error: 'NOT_ENTITLED' });
    expect(denied.groups).toEqual([]);
    expect(stack.aws.countCalls('AssumeRole')).toBe(assumeBefore);
    // The same browser session: no entitlements, the deep link refuses too.
    expect(await entitledRoles(alice)).toEqual([]);
    expect((await alice.get('/console/111111111111/Developer', { 'sec-fetch-site': 'same-origin', accept: 'text/html' })).status).toBe(403);

    // Put back (Entra's form): entitled again on the next call.
    expect((await scim.patch(`/Groups/${engineersId}`, patchOp({ op: 'Add', path: 'members', value: [{ value: ids['alice@example.com'] }] }))).status).toBe(
      204,
    );
    expect(await entitledRoles(alice)).toEqual(['Developer', 'ReadOnly']);
    expect((await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer'], env)).code).toBe(0);
  });

  it('a person whose sign-in groups give no role gets the roles of their SCIM groups, in the browser and on a CLI token approved then', async () => {
    const carol = await stack.signIn('carol'); // auditors at sign-in: no mapping
    expect((await scim.patch(`/Groups/${engineersId}`, patchOp({ op: 'add', path: 'members', value: [{ value: ids['carol@example.com'] }] }))).status).toBe(
      204,
    );
    expect(await entitledRoles(carol)).toEqual(['Developer', 'ReadOnly']);
    const { token, tokenId } = await cliTokenFor(carol);
    expect((await stack.sql.query(`SELECT groups FROM cli_tokens WHERE id = $1`, [tokenId])).rows[0].groups).toEqual(['engineers']);
    const grant = await bearer(stack.baseUrl, token, 'POST', '/api/grants', {
      json: { entitlementId: await stack.mappingId('arn:aws:iam::111111111111:role/Developer'), kind: 'cli' },
    });
    expect(grant.status, grant.text).toBe(201);
    expect((await scim.patch(`/Groups/${engineersId}`, patchOp({ op: 'remove', path: `members[value eq "${ids['carol@example.com']}"]` }))).status).toBe(204);
    expect(
      (
        await bearer(stack.baseUrl, token, 'POST', '/api/grants', {
          json: { entitlementId: await stack.mappingId('arn:aws:iam::111111111111:role/Developer'), kind: 'cli' },
        })
      ).status,
    ).toBe(403);
  });

  it('admin rights follow SCIM too: out of platform-admins, bob is no admin on his next request', async () => {
    const bob = await stack.signIn('bob');
    expect((await bob.get('/api/admin/scim/status')).status).toBe(200);
    const admins = (await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "platform-admins"')}`)).body.Resources[0].id as string;
    await scim.patch(`/Groups/${admins}`, patchOp({ op: 'remove', path: 'members' }));
    expect((await bob.get('/api/admin/scim/status')).status).toBe(403);
    await scim.patch(`/Groups/${admins}`, patchOp({ op: 'add', path: 'members', value: [{ value: ids['bob@example.com'] }] }));
    expect((await bob.get('/api/admin/scim/status')).status).toBe(200);
  });
});

describe('deactivation and deletion cut people off at once', () => {
  it('deactivating (Entra: active "False") ends every browser session and revokes every CLI token, in the audit trail', async () => {
    const alice = await stack.signIn('alice');
    const other = await stack.signIn('alice');
    const { token } = await cliTokenFor(await stack.signIn('alice'));
    expect((await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status).toBe(200);
    expect(await sessionsOf('alice@example.com')).toBeGreaterThanOrEqual(3);

    const res = await scim.patch(`/Users/${ids['alice@example.com']}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(res.status, res.text).toBe(200);

    expect(await sessionsOf('alice@example.com')).toBe(0);
    expect((await alice.me()).status).toBe(401);
    expect((await other.get('/api/entitlements')).status).toBe(401);
    expect((await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status).toBe(401);
    const live = (
      await stack.sql.query(`SELECT count(*)::int AS n FROM cli_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [await userIdOf('alice@example.com')])
    ).rows[0].n;
    expect(live).toBe(0);
    const cut = (await stack.sql.query(`SELECT actor, detail FROM scim_changes WHERE action = 'cut-off' AND resource_id = $1`, [ids['alice@example.com']]))
      .rows;
    expect(cut).toHaveLength(1);
    expect(cut[0].actor).toBe('scim:okta');
    expect(cut[0].detail).toMatchObject({ why: 'deactivated', users: 1 });
    expect(cut[0].detail.sessions).toBeGreaterThanOrEqual(3);
    expect(cut[0].detail.cliTokens).toBeGreaterThanOrEqual(1);
    // …and her live AWS sessions: person revocations written ahead in the same transaction, for the account she was granted in.
    const revoked = (
      await stack.sql.query(`SELECT account_id, requested_by_email, reason, revoked_before FROM revocations WHERE kind = 'person' AND user_id = $1`, [
        await userIdOf('alice@example.com'),
      ])
    ).rows;
    expect(revoked.map((r) => r.account_id)).toContain('111111111111');
    expect(revoked[0]).toMatchObject({ requested_by_email: 'scim:okta', reason: 'provisioning: deactivated' });
    expect(cut[0].detail.accountIds).toContain('111111111111');

    // Signing in again authenticates, but an inactive SCIM user has no groups.
    const again = await stack.signIn('alice');
    expect((await again.me()).json().user.groups).toEqual([]);
    expect(await entitledRoles(again)).toEqual([]);
  });

  it('an instance that cached the session before the cut-off drops it too (NOTIFY)', async () => {
    await scim.patch(`/Users/${ids['alice@example.com']}`, patchOp({ op: 'replace', value: { active: true } }));
    const instance = await stack.startInstance();
    const alice = await stack.signIn('alice');
    const there = instance.browser();
    there.jar.store(alice.jar.header()!.split('; '));
    expect((await there.me()).status).toBe(200);
    await scim.patch(`/Users/${ids['alice@example.com']}`, patchOp({ op: 'replace', value: { active: false } }));
    await expect.poll(async () => (await there.me()).status).toBe(401);
  });

  it('deleting a person (Okta deprovisioning) ends their session too', async () => {
    const carol = await stack.signIn('carol');
    expect((await carol.me()).status).toBe(200);
    expect((await scim.delete(`/Users/${ids['carol@example.com']}`)).status).toBe(204);
    expect((await carol.me()).status).toBe(401);
    expect(await sessionsOf('carol@example.com')).toBe(0);
    const cut = (await stack.sql.query(`SELECT detail FROM scim_changes WHERE action = 'cut-off' AND resource_id = $1`, [ids['carol@example.com']])).rows;
    expect(cut[0].detail).toMatchObject({ why: 'deleted', users: 1 });
  });
});

describe('intersect mode', () => {
  let inter: Stack;
  beforeAll(async () => {
    inter = await startStack({ mappingsYaml: CLI_TEST_MAPPINGS, env: { ...SCIM_ENV, SCIM_SIGNIN_GROUPS: 'intersect' } });
  });
  afterAll(async () => {
    await inter?.close();
  });

  it('a group counts only when both the sign-in and SCIM carry it', async () => {
    const client = scimClient(inter.baseUrl, (await createScimToken(await inter.signIn('bob'), 'entra')).secret);
    const alice = (await client.post('/Users', oktaUser('ALICE@example.com'))).body.id as string; // userName matched without regard to case
    // SCIM puts alice in engineers and platform-admins; her sign-in carries engineers only.
    await client.post('/Groups', { schemas: [GROUP], displayName: 'engineers', members: [{ value: alice }] });
    await client.post('/Groups', { schemas: [GROUP], displayName: 'platform-admins', members: [{ value: alice }] });
    const b = await inter.signIn('alice');
    expect((await b.me()).json().user.groups).toEqual(['engineers']);
    expect(await ((await b.get('/api/entitlements')).json().items as { roleName: string }[]).map((i) => i.roleName).sort()).toEqual(['Developer', 'ReadOnly']);
  });
});
