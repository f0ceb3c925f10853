import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUser } from '@rolegate/dev-idp';
import { bearer, cliTokenFor } from './cli-support.js';
import { startStack, type Stack } from './support/stack.js';

// OIDC_REFRESH_GROUPS: a CLI token keeps the sign-in's refresh token and, once
// its groups are older than CLI_GROUPS_RECHECK_SECONDS (1 s here), asks the dev
// IdP again. The attack it stops: a person removed from a group at the IdP
// keeping that group's roles through the CLI for the token's remaining 8 hours.

const person = (username: string, groups: string[]): DemoUser => ({
  username,
  password: `${username}-password-1`,
  email: `${username}@example.com`,
  name: username,
  groups,
});
const RECHECK_MS = 1100;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    extraUsers: [
      person('dana', ['engineers']),
      person('eli', ['engineers']),
      person('fay', ['engineers']),
      person('gus', ['engineers']),
      person('hal', ['engineers']),
    ],
    env: { OIDC_REFRESH_GROUPS: 'true', CLI_GROUPS_RECHECK_SECONDS: '1' },
  });
});
afterAll(async () => {
  await stack?.close();
});

const atIdp = (username: string) => stack.idp.users.find((u) => u.username === username)!;
const roleNames = (res: { json(): { items: { roleName: string }[] } }) =>
  res
    .json()
    .items.map((e) => e.roleName)
    .sort();
const tokenRow = async (id: string) =>
  (await stack.sql.query(`SELECT groups, refresh_box, groups_checked_at, revoked_at FROM cli_tokens WHERE id = $1`, [id])).rows[0];

describe('CLI tokens re-check groups at the OIDC IdP', () => {
  it('keeps the refresh token with the CLI token only sealed (AES-GCM box), and records when the groups were confirmed', async () => {
    const b = await stack.signIn('gus');
    const { tokenId } = await cliTokenFor(b);
    const row = await tokenRow(tokenId);
    expect(row.refresh_box).toMatch(/^v1\./);
    expect(row.groups_checked_at).not.toBeNull();
    // The dev IdP's refresh tokens are opaque strings; none of the stored forms may be one.
    expect(stack.logLines.join('')).not.toContain(row.refresh_box);
  });

  it('follows a group change at the IdP within the re-check interval', async () => {
    const b = await stack.signIn('dana');
    const { token, tokenId } = await cliTokenFor(b);
    expect(roleNames(await bearer(stack.baseUrl, token, 'GET', '/api/entitlements'))).toEqual(['Developer', 'ReadOnly']);

    atIdp('dana').groups = ['platform-admins'];
    // Within the interval the token's groups are still those of the sign-in.
    expect(roleNames(await bearer(stack.baseUrl, token, 'GET', '/api/entitlements'))).toEqual(['Developer', 'ReadOnly']);
    await sleep(RECHECK_MS);
    const after = await bearer(stack.baseUrl, token, 'GET', '/api/entitlements');
    expect(after.status).toBe(200);
    expect(roleNames(after)).toEqual(['Administrator', 'Developer']);
    const row = await tokenRow(tokenId);
    expect(row.groups).toEqual(['platform-admins']);
    expect(row.revoked_at).toBeNull();
    expect(stack.logLines.some((l) => l.includes('"event":"cli-token-groups-rechecked"') && l.includes(tokenId) && l.includes('"outcome":"confirmed"'))).toBe(
      true,
    );
  });

  it('refreshes once when several requests find the groups due at the same time', async () => {
    const b = await stack.signIn('hal');
    const { token, tokenId } = await cliTokenFor(b);
    await sleep(RECHECK_MS);
    const answers = await Promise.all(Array.from({ length: 4 }, () => bearer(stack.baseUrl, token, 'GET', '/api/entitlements')));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const confirmed = stack.logLines.filter((l) => l.includes('"event":"cli-token-groups-rechecked"') && l.includes(tokenId));
    expect(confirmed).toHaveLength(1);
    expect((await tokenRow(tokenId)).revoked_at).toBeNull();
  });

  it('revokes the token when the person lost every entitled group, before any AWS call', async () => {
    const b = await stack.signIn('eli');
    const { token, tokenId } = await cliTokenFor(b);
    const developerId = await stack.mappingId('arn:aws:iam::111111111111:role/Developer');
    atIdp('eli').groups = ['nobody'];
    await sleep(RECHECK_MS);
    const before = stack.aws.countCalls('AssumeRole');
    const res = await bearer(stack.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: developerId, kind: 'cli', durationSeconds: 900 } });
    expect(res.status).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    expect(stack.aws.countCalls('AssumeRole')).toBe(before);
    const row = await tokenRow(tokenId);
    expect(row.revoked_at).not.toBeNull();
    expect(row.refresh_box).toBeNull();
    expect(await stack.grantRows(`user_email = 'eli@example.com'`)).toHaveLength(0);
    // Revoked for good: giving the group back at the IdP does not revive it.
    atIdp('eli').groups = ['engineers'];
    expect((await bearer(stack.baseUrl, token, 'GET', '/api/entitlements')).status).toBe(401);
  });

  it('revokes the token when the IdP refuses the refresh (person removed at the IdP)', async () => {
    const b = await stack.signIn('fay');
    const { token, tokenId } = await cliTokenFor(b);
    stack.idp.users.splice(stack.idp.users.indexOf(atIdp('fay')), 1);
    await sleep(RECHECK_MS);
    const res = await bearer(stack.baseUrl, token, 'GET', '/api/entitlements');
    expect(res.status).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    expect((await tokenRow(tokenId)).revoked_at).not.toBeNull();
    expect(stack.logLines.some((l) => l.includes(tokenId) && l.includes('refused by the IdP'))).toBe(true);
  });
});
