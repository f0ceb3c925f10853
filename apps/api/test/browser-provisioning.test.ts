import { describe, expect, it } from 'vitest';
import { browserSuite, shot } from './support/chromium.js';
import { oktaUser, patchOp, SCIM_ENV, scimClient } from './support/scim.js';
import { SANDBOX_DEVELOPER } from './support/stack.js';

/**
 * The Provisioning screen in real Chromium (SCIM): bob makes a token (its
 * secret shown once, then gone from the page), the IdP pushes people and
 * groups with it and the screen shows them with the status; deactivating
 * alice over SCIM ends her browser session in her own Chromium profile;
 * revoking the token from the screen refuses the IdP at once.
 */

const WAIT = { timeout: 30_000 };
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const { ready, signedInPage } = browserSuite({ mappingsYaml: SANDBOX_DEVELOPER, env: SCIM_ENV });
const newPage = (username: string, path: string) => signedInPage(username, { path, viewport: { width: 1280, height: 900 }, wait: WAIT, waitForUser: true });

describe('Provisioning screen (real Chromium)', () => {
  it('token made once, pushes shown with status, deactivation ends a browser session, revocation refuses the IdP', { timeout: 180_000 }, async () => {
    const s = ready();
    const { page: alice } = await newPage('alice', '/');
    const { page, errors } = await newPage('bob', '/admin/provisioning');
    await page.getByTestId('scim-status').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByTestId('scim-status').textContent()).toContain('waiting for the first push');

    // Make a token: shown once.
    await page.getByTestId('scim-token-label').fill('okta-prod');
    await page.getByTestId('scim-token-create').click();
    await page.getByTestId('scim-token-created').waitFor({ state: 'visible', ...WAIT });
    const secret = (await page.getByTestId('scim-token-secret-text').textContent())!.trim();
    expect(secret).toMatch(/^rgscim_[A-Za-z0-9_-]{43}$/);
    await shot(page, 'provisioning-token-created');
    await page.getByTestId('scim-token-done').click();
    await page.getByTestId('scim-token-okta-prod').waitFor({ state: 'visible', ...WAIT });
    await page.reload();
    await page.getByTestId('scim-token-okta-prod').waitFor({ state: 'visible', ...WAIT });
    expect(await page.content()).not.toContain(secret);

    // The IdP pushes with it: bob stays admin through SCIM, alice is an engineer.
    const scim = scimClient(s.baseUrl, secret);
    const aliceId = (await scim.post('/Users', oktaUser('alice@example.com'))).body.id as string;
    const bobId = (await scim.post('/Users', oktaUser('bob@example.com'))).body.id as string;
    expect((await scim.post('/Groups', { schemas: [GROUP], displayName: 'platform-admins', members: [{ value: bobId }] })).status).toBe(201);
    expect((await scim.post('/Groups', { schemas: [GROUP], displayName: 'engineers', members: [{ value: aliceId }] })).status).toBe(201);
    expect((await scim.post('/Groups', { schemas: [GROUP], displayName: 'engineers' })).status).toBe(409); // a refused request, shown on the screen

    await page.reload();
    await page.getByTestId('scim-group-engineers').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByTestId('scim-status').textContent()).toContain('SCIM is the truth for groups');
    expect(await page.getByTestId('scim-count-users').textContent()).toBe('2 (2 active)');
    expect(await page.getByTestId('scim-count-groups').textContent()).toBe('2 (2 memberships)');
    expect(await page.getByTestId('scim-group-engineers').textContent()).toContain('alice@example.com');
    expect(await page.getByTestId('scim-errors').textContent()).toContain('409 POST /scim/v2/Groups');
    expect(await page.getByTestId('scim-changes').textContent()).toContain('scim:okta-prod');

    // Deactivation over SCIM ends alice's browser session: her portal asks her to sign in.
    expect((await scim.patch(`/Users/${aliceId}`, patchOp({ op: 'replace', value: { active: false } }))).status).toBe(200);
    await alice.reload();
    await alice
      .getByRole('heading', { name: /sign in/i })
      .first()
      .waitFor({ state: 'visible', ...WAIT });
    expect(await alice.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);
    await shot(alice, 'provisioning-deactivated-session-ended');

    await page.reload();
    await page.getByTestId('scim-user-alice@example.com').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByTestId('scim-user-alice@example.com').textContent()).toContain('inactive');
    await shot(page, 'provisioning-status');

    // Revoke from the screen: the IdP is refused at once.
    await page.getByTestId('scim-token-revoke-okta-prod').click();
    await page.getByTestId('scim-revoke-dialog').waitFor({ state: 'visible', ...WAIT });
    await page.getByTestId('scim-revoke-dialog-confirm').click();
    await page.getByTestId('scim-revoke-dialog').waitFor({ state: 'detached', ...WAIT });
    await expect.poll(async () => page.getByTestId('scim-token-okta-prod').textContent()).toContain('revoked');
    expect((await scim.get('/Users')).status).toBe(401);
    expect(errors).toEqual([]);
  });
});
