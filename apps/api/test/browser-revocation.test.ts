import { describe, expect, it } from 'vitest';
import { browserSuite, shot } from './support/chromium.js';
import { bucketOf, SANDBOX_DEVELOPER, testPerson } from './support/stack.js';
import { listBuckets } from './support/s3.js';

/**
 * Revocation screens in real Chromium: a person revokes their own live grant
 * from "My grants" (with a confirmation), AWS then denies that session; the
 * admin's Revocations screen shows each revocation's state at AWS, and a
 * waiting one shows IAM's last error. Needs a built web app and Chromium.
 */

const WAIT = { timeout: 30_000 };
const ivy = testPerson('br-ivy', ['engineers']);
const root = testPerson('br-root', ['platform-admins']);
const audrey = testPerson('br-audrey', ['auditors']);
const VIEWPORT = { width: 1280, height: 900 };
const { ready, signedInPage } = browserSuite({ mappingsYaml: SANDBOX_DEVELOPER, extraUsers: [ivy, root, audrey], revocations: { intervalMs: 200 } });

describe('revocation screens (real Chromium)', () => {
  it(
    'ivy revokes her live grant from My grants; AWS denies it; the admin sees it applied, and a waiting one with its IAM error',
    { timeout: 120_000 },
    async () => {
      const s = ready();
      const developer = await s.mappingId('arn:aws:iam::111111111111:role/Developer');
      const api = await s.signIn(ivy.username);
      const made = await api.post('/api/grants', { entitlementId: developer, kind: 'cli', durationSeconds: 3600 });
      expect(made.status).toBe(201);
      const grantId: string = made.json().grant.id;
      const creds = made.json().credentials;
      expect(await listBuckets(s.aws.s3Url, creds)).toEqual([bucketOf('111111111111')]);

      const { page, errors } = await signedInPage(ivy.username, { path: '/grants', viewport: VIEWPORT, wait: WAIT });
      await page.getByTestId(`revoke-grant-${grantId}`).waitFor({ state: 'visible', ...WAIT });
      await page.getByTestId(`revoke-grant-${grantId}`).click();
      const dialog = page.getByTestId('revoke-grant-dialog');
      await dialog.waitFor({ state: 'visible', ...WAIT });
      expect(await dialog.textContent()).toContain('AWS will deny this grant’s CLI session as Developer');
      await shot(page, 'revoke-grant-confirm');
      // Cancel first: nothing is written.
      await page.getByRole('button', { name: 'Cancel' }).click();
      expect((await s.sql.query(`SELECT count(*)::int AS n FROM revocations WHERE grant_id = $1`, [grantId])).rows[0].n).toBe(0);
      await page.getByTestId(`revoke-grant-${grantId}`).click();
      await page.getByTestId('revoke-grant-dialog-confirm').click();
      await page
        .getByTestId(`grant-${grantId}`)
        .getByText('Revoked')
        .waitFor({ state: 'visible', ...WAIT });
      await page.getByTestId(`revoke-grant-${grantId}`).waitFor({ state: 'detached', ...WAIT });
      await shot(page, 'revoke-grant-done');
      expect((await s.sql.query(`SELECT requested_by_email FROM revocations WHERE grant_id = $1`, [grantId])).rows[0].requested_by_email).toBe(ivy.email);
      await expect.poll(async () => listBuckets(s.aws.s3Url, creds), { timeout: 10_000 }).toBe('AccessDenied');
      expect(errors).toEqual([]);

      // The auditor's view of the grant says who revoked it, and that AWS applied it.
      const { page: audit, errors: auditErrors } = await signedInPage(audrey.username, { path: `/audit/grants/${grantId}`, viewport: VIEWPORT, wait: WAIT });
      await audit.getByTestId('grant-revocation').waitFor({ state: 'visible', ...WAIT });
      expect(await audit.getByTestId('detail-revoked-by').textContent()).toContain(ivy.email);
      expect(await audit.getByTestId('detail-revocation-state').textContent()).toBe('Applied at AWS');
      await shot(audit, 'audit-grant-revoked');
      expect(auditErrors).toEqual([]);

      // A second revocation while IAM throttles: it waits, with the error on the admin's screen.
      const other = await api.post('/api/grants', { entitlementId: developer, kind: 'cli', durationSeconds: 3600 });
      s.aws.setFault('CreatePolicyVersion', { kind: 'throttle' });
      try {
        expect((await api.post(`/api/grants/${other.json().grant.id}/revoke`, {})).status).toBe(202);
        await expect
          .poll(async () => (await s.sql.query(`SELECT last_error FROM revocations WHERE grant_id = $1`, [other.json().grant.id])).rows[0].last_error, {
            timeout: 10_000,
          })
          .toMatch(/Throttling/);
        const { page: admin, errors: adminErrors } = await signedInPage(root.username, { path: '/admin/revocations', viewport: VIEWPORT, wait: WAIT });
        await admin.getByTestId('revocations-list').waitFor({ state: 'visible', ...WAIT });
        const firstId = (await s.sql.query(`SELECT batch_id FROM revocations WHERE grant_id = $1`, [grantId])).rows[0].batch_id;
        const waitingId = (await s.sql.query(`SELECT batch_id FROM revocations WHERE grant_id = $1`, [other.json().grant.id])).rows[0].batch_id;
        expect(await admin.getByTestId(`revocation-status-${firstId}`).textContent()).toBe('Applied at AWS');
        expect(await admin.getByTestId(`revocation-status-${waitingId}`).textContent()).toBe('Waiting for AWS');
        expect(await admin.getByTestId(`revocation-error-${waitingId}`).textContent()).toMatch(/Throttling/);
        await shot(admin, 'revocations-waiting');
        s.aws.setFault('CreatePolicyVersion', null);
        // The screen refreshes itself while something waits.
        await admin
          .getByTestId(`revocation-status-${waitingId}`)
          .getByText('Applied at AWS')
          .waitFor({ state: 'visible', ...WAIT });
        await shot(admin, 'revocations-applied');
        expect(adminErrors).toEqual([]);
      } finally {
        s.aws.setFault('CreatePolicyVersion', null);
      }
    },
  );
});
