import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, shot } from './support/chromium.js';
import { seriousViolations, type AxeFinding } from './support/axe.js';
import type { Stack } from './support/stack.js';

// The request screens in real Chromium (issue 14): the approver's badge
// count, the portal's extend prompt when less than 15 minutes of a window
// remain, the auditor's grant-history filters by request, and axe-core over
// the request screens, the inbox, the review queue and the outbox page.

const WAIT = { timeout: 30_000 };
const DEPLOYER = '222222222222-Deployer';
// Notifications go to a webhook nobody delivers to here: the outbox page has rows to show.
const { ready, signedInPage } = browserSuite({
  env: { NOTIFY_WEBHOOK_URLS: 'https://hooks.example.com/rolegate', NOTIFY_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64')}` },
});

const pageFor = (username: string, path = '/') => signedInPage(username, { path, viewport: { width: 1280, height: 900 }, wait: WAIT });

async function fileRequest(s: Stack, reason: string, role = 'Deployer', extra: Record<string, unknown> = {}) {
  const erin = await s.signIn('erin');
  const entitlementId = await s.mappingId(`arn:aws:iam::222222222222:role/${role}`, 'oncall');
  const res = await erin.post('/api/requests', { entitlementId, durationSeconds: 3600, reason, ...extra });
  expect(res.status, res.text).toBe(201);
  return { erin, id: res.json().request.id as string };
}

describe('request screens in the browser', () => {
  it('the Approvals tab counts the pending requests the approver can act on, and drops when one is decided', { timeout: 120_000 }, async () => {
    const s = ready();
    const ada = await pageFor('ada', '/approvals');
    await ada.page.getByTestId('panel-approvals').waitFor({ state: 'visible', ...WAIT });
    expect(await ada.page.getByTestId('tab-badge-approvals').count()).toBe(0);
    const one = await fileRequest(s, 'badge one');
    const two = await fileRequest(s, 'badge two');
    await ada.page.reload();
    const badge = ada.page.getByTestId('tab-badge-approvals');
    await expect.poll(() => badge.textContent(), WAIT).toBe('2 waiting for you');
    await shot(ada.page, 'approvals-badge');
    // erin is no approver: no badge for her, though her own requests are pending.
    const erin = await pageFor('erin', '/requests');
    await erin.page.getByTestId(`request-${one.id}`).waitFor({ state: 'visible', ...WAIT });
    expect(await erin.page.getByTestId('tab-badge-approvals').count()).toBe(0);
    // Cancelled by erin: ada's badge counts one.
    expect((await one.erin.post(`/api/requests/${one.id}/cancel`)).status).toBe(200);
    await ada.page.reload();
    await expect.poll(() => badge.textContent(), WAIT).toBe('1 waiting for you');
    expect((await two.erin.post(`/api/requests/${two.id}/cancel`)).status).toBe(200);
    expect(ada.errors).toEqual([]);
  });

  it('with less than 15 minutes left the portal offers to extend the window, and the extension is filed', { timeout: 120_000 }, async () => {
    const s = ready();
    const { id } = await fileRequest(s, 'release 2026.12');
    const approver = await s.signIn('ada');
    expect((await approver.post(`/api/requests/${id}/approve`, {})).status).toBe(200);
    const erin = await pageFor('erin');
    await erin.page.getByTestId(`window-${DEPLOYER}`).waitFor({ state: 'visible', ...WAIT });
    // An hour left: no prompt.
    expect(await erin.page.getByTestId(`window-ending-${DEPLOYER}`).count()).toBe(0);
    await s.sql.query(`UPDATE access_requests SET window_ends_at = now() + interval '10 minutes' WHERE id = $1`, [id]);
    await erin.page.reload();
    const prompt = erin.page.getByTestId(`window-ending-${DEPLOYER}`);
    await prompt.waitFor({ state: 'visible', ...WAIT });
    expect(await prompt.textContent()).toContain('Less than 15 minutes left');
    expect(await erin.page.getByTestId(`window-extend-submit-${DEPLOYER}`).isDisabled()).toBe(true);
    await shot(erin.page, 'window-ending-prompt');
    expect(await seriousViolations(erin.page)).toEqual([]);
    await erin.page.getByTestId(`window-extend-reason-${DEPLOYER}`).fill('rollout still running');
    await erin.page.getByTestId(`window-extend-duration-${DEPLOYER}`).selectOption('3600');
    await erin.page.getByTestId(`window-extend-submit-${DEPLOYER}`).click();
    await erin.page.getByTestId(`window-extend-sent-${DEPLOYER}`).waitFor({ state: 'visible', ...WAIT });
    expect(await erin.page.getByTestId(`window-extend-sent-${DEPLOYER}`).textContent()).toContain('approvers have been asked');
    const ext = await s.sql.query(`SELECT status, duration_seconds, reason FROM access_requests WHERE extends_request_id = $1`, [id]);
    expect(ext.rows).toEqual([{ status: 'pending', duration_seconds: 3600, reason: 'rollout still running' }]);
    expect(erin.errors).toEqual([]);
  });

  it(
    'the auditor filters the grant history by request id (checked at the field) and request status; the export link carries the filter',
    { timeout: 120_000 },
    async () => {
      const s = ready();
      const { erin, id } = await fileRequest(s, 'audited release');
      const approver = await s.signIn('ada');
      expect((await approver.post(`/api/requests/${id}/approve`, {})).status).toBe(200);
      const entitlementId = await s.mappingId('arn:aws:iam::222222222222:role/Deployer', 'oncall');
      const grant = await erin.post('/api/grants', { entitlementId, kind: 'cli' });
      expect(grant.status, grant.text).toBe(201);
      const grantId = grant.json().grant.id as string;
      const other = (
        await (
          await s.signIn('alice')
        ).post('/api/grants', { entitlementId: await s.mappingId('arn:aws:iam::111111111111:role/Developer', 'engineers'), kind: 'cli' })
      ).json().grant.id as string;

      const carol = await pageFor('carol', '/audit/grants');
      const page = carol.page;
      await page.getByTestId('audit-filters').waitFor({ state: 'visible', ...WAIT });
      await page.getByTestId('filter-request-id').fill('not-a-request');
      await page.getByTestId('filter-apply').click();
      await expect.poll(() => page.getByTestId('audit-filters').textContent(), WAIT).toContain('Enter a request id');
      expect(new URL(page.url()).searchParams.get('requestId')).toBeNull();
      await page.getByTestId('filter-request-id').fill(id.toUpperCase());
      await page.getByTestId('filter-apply').click();
      await page.waitForURL((u) => u.searchParams.get('requestId') === id.toUpperCase(), WAIT);
      await page.getByTestId(`grant-request-${grantId}`).waitFor({ state: 'visible', ...WAIT });
      expect(await page.getByTestId(`reason-${other}`).count()).toBe(0);
      expect(await page.getByTestId('export-csv').getAttribute('href')).toContain(`requestId=${id}`);
      await page.getByTestId('filter-request-id').fill('');
      await page.getByTestId('filter-request-status').selectOption('approved');
      await page.getByTestId('filter-apply').click();
      await page.waitForURL((u) => u.searchParams.get('requestStatus') === 'approved', WAIT);
      await page.getByTestId(`grant-request-${grantId}`).waitFor({ state: 'visible', ...WAIT });
      await shot(page, 'audit-by-request');
      expect(await seriousViolations(page)).toEqual([]);
      expect(carol.errors).toEqual([]);
      await erin.post(`/api/requests/${id}/end`);
    },
  );

  it(
    'axe finds no serious or critical violation on my requests, a request, the inbox, the review queue and the outbox page',
    { timeout: 180_000 },
    async () => {
      const s = ready();
      const pending = await fileRequest(s, 'needs a decision');
      const breakGlass = await fileRequest(s, 'incident 77', 'EmergencyAdmin', { breakGlass: true });
      const found: Record<string, AxeFinding[]> = {};
      const scan = async (page: Page, path: string, testId: string) => {
        await page.goto(`${s.baseUrl}${path}`, WAIT);
        await page
          .getByTestId(testId)
          .first()
          .waitFor({ state: 'visible', ...WAIT });
        await page.waitForLoadState('networkidle');
        found[path] = await seriousViolations(page);
      };
      const erin = await pageFor('erin');
      await scan(erin.page, '/requests', `request-${pending.id}`);
      await scan(erin.page, `/requests/${pending.id}`, `request-${pending.id}`);
      const ada = await pageFor('ada');
      await scan(ada.page, '/approvals', `request-${pending.id}`);
      const bob = await pageFor('bob');
      await scan(bob.page, '/admin/reviews', `review-${breakGlass.id}`);
      await scan(bob.page, '/admin/notifications', 'outbox');
      // Each row says what it sends: here the webhook's event and subject.
      const message = await bob.page.locator('[data-testid^="outbox-message-"]').first().textContent();
      expect(message).toMatch(/^POST request\.\w+: erin@example\.com → \w+ \(222222222222\)$/);
      await shot(bob.page, 'outbox-page');
      expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
      // The scan can fail: an image without a text alternative on the same page is found.
      await bob.page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="/nothing.png">'));
      expect((await seriousViolations(bob.page)).map((v) => v.id)).toContain('image-alt');
      for (const p of [erin, ada, bob]) expect(p.errors).toEqual([]);
    },
  );
});
