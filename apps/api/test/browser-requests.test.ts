import { describe, expect, it } from 'vitest';
import { browserSuite, shot } from './support/chromium.js';

// Just-in-time access in a real browser (issue 14): erin requests the demo's
// approval role, ada (approver) signs in fresh at the IdP and approves, erin
// opens the console, and the STS session ends at the window's end.

const WAIT = { timeout: 30_000 };
const DEPLOYER = '222222222222-Deployer';
const { ready, signedInPage } = browserSuite();
const pageFor = (username: string, path = '/') => signedInPage(username, { path, viewport: { width: 1280, height: 900 }, wait: WAIT });

describe('requests and approvals in the browser', () => {
  it('erin requests, ada signs in fresh and approves, erin opens the console inside the window', { timeout: 180_000 }, async () => {
    const s = ready();
    const erin = await pageFor('erin');
    const row = erin.page.getByTestId(`role-${DEPLOYER}`);
    await row.waitFor({ state: 'visible', ...WAIT });
    expect(await erin.page.getByTestId(`needs-approval-${DEPLOYER}`).isVisible()).toBe(true);
    // No Console link before approval: the row offers a request instead.
    expect(await erin.page.getByTestId(`console-${DEPLOYER}`).count()).toBe(0);
    await erin.page.getByTestId(`request-reason-${DEPLOYER}`).fill('release 2026.12 to production');
    await erin.page.getByTestId(`request-duration-${DEPLOYER}`).selectOption('3600');
    await erin.page.getByTestId(`request-submit-${DEPLOYER}`).click();
    await erin.page.getByTestId(`request-sent-${DEPLOYER}`).waitFor({ state: 'visible', ...WAIT });
    const requestId = (
      await s.sql.query<{ id: string }>(`SELECT id FROM access_requests WHERE requester_email = 'erin@example.com' ORDER BY created_at DESC LIMIT 1`)
    ).rows[0]!.id;

    // My requests: waiting for approval.
    await erin.page.getByTestId('tab-requests').click();
    const mine = erin.page.getByTestId(`request-${requestId}`);
    await mine.waitFor({ state: 'visible', ...WAIT });
    expect(await mine.getAttribute('data-status')).toBe('pending');
    await shot(erin.page, 'requests-mine-pending');

    // ada's sign-in is old: approving sends her through the IdP and back to the request.
    const ada = await pageFor('ada', '/approvals');
    const adaId = (await s.sql.query<{ id: string }>(`SELECT id FROM users WHERE email = 'ada@example.com'`)).rows[0]!.id;
    await s.sql.query(`UPDATE web_sessions SET data = jsonb_set(data, '{authTime}', to_jsonb('2020-01-01T00:00:00.000Z'::text)) WHERE user_id = $1`, [adaId]);
    const card = ada.page.getByTestId(`request-${requestId}`);
    await card.waitFor({ state: 'visible', ...WAIT });
    expect(await ada.page.getByTestId(`request-recent-${requestId}`).isVisible()).toBe(true);
    await shot(ada.page, 'approvals-inbox');
    const idpOrigin = new URL(s.idp.issuer).origin;
    const viaIdp: string[] = [];
    ada.page.on('request', (r) => {
      if (r.isNavigationRequest() && r.url().startsWith(idpOrigin)) viaIdp.push(r.url());
    });
    await ada.page.getByTestId(`request-approve-${requestId}`).click();
    // Through the IdP with max_age (its own sign-in of ada is seconds old, so it answers at once) and back to the request.
    await ada.page.waitForURL((url) => url.origin === s.baseUrl && url.pathname === `/requests/${requestId}`, WAIT);
    expect(viaIdp.some((u) => new URL(u).searchParams.get('max_age') === '300')).toBe(true);
    expect((await s.sql.query(`SELECT count(*)::int AS n FROM access_request_events WHERE request_id = $1 AND type = 'approved'`, [requestId])).rows[0].n).toBe(
      0,
    );
    await ada.page.getByTestId(`request-comment-${requestId}`).fill('go ahead');
    await ada.page.getByTestId(`request-approve-${requestId}`).click();
    await expect.poll(() => ada.page.getByTestId(`request-${requestId}`).getAttribute('data-status'), WAIT).toBe('approved');

    // erin: the row now shows the window and the Console link.
    await erin.page.getByTestId('tab-access').click();
    await erin.page.reload();
    await erin.page.getByTestId(`window-${DEPLOYER}`).waitFor({ state: 'visible', ...WAIT });
    await shot(erin.page, 'requests-window-open');
    s.aws.clearLog();
    const [consoleTab] = await Promise.all([erin.page.context().waitForEvent('page'), erin.page.getByTestId(`console-${DEPLOYER}`).click()]);
    await consoleTab.waitForURL((url) => url.origin !== s.baseUrl, WAIT);
    await consoleTab.locator('#role-name').waitFor({ state: 'visible', ...WAIT });
    expect(await consoleTab.locator('#role-name').textContent()).toBe('Deployer');

    // The session ends at the window's end, not an hour after the click.
    const { window_ends_at: windowEnd } = (await s.sql.query<{ window_ends_at: Date }>(`SELECT window_ends_at FROM access_requests WHERE id = $1`, [requestId]))
      .rows[0]!;
    const [grant] = await s.grantRows(`request_id = $1`, [requestId]);
    expect(grant.status).toBe('issued');
    expect(grant.kind).toBe('console');
    const expires = (grant.expires_at as Date).getTime();
    expect(expires).toBeLessThanOrEqual(windowEnd.getTime());
    expect(windowEnd.getTime() - expires).toBeLessThan(300_000);
    const call = s.aws.requests.find((r) => r.action === 'AssumeRole')!;
    expect(Number(call.params.DurationSeconds)).toBeLessThan(3600);

    // The auditor sees the approval in the grant history.
    const carol = await pageFor('carol', `/audit/grants/${grant.id}`);
    await carol.page.getByTestId('grant-request').waitFor({ state: 'visible', ...WAIT });
    await expect.poll(() => carol.page.getByTestId('detail-approvals').textContent(), WAIT).toContain('ada@example.com');
    expect(await carol.page.getByTestId('detail-approvals').textContent()).toContain('go ahead');

    // erin ends the window early: the Request form is back.
    await erin.page.getByTestId('tab-requests').click();
    await erin.page.getByTestId(`request-end-${requestId}`).click();
    await expect.poll(() => erin.page.getByTestId(`request-${requestId}`).getAttribute('data-status'), WAIT).toBe('ended');
    // The one refused call is the approval that needed the fresh sign-in.
    expect(ada.errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
    for (const p of [erin, carol]) expect(p.errors).toEqual([]);
  });

  it('break-glass: erin skips approval with a reason, an admin closes the review', { timeout: 120_000 }, async () => {
    const s = ready();
    const key = '222222222222-EmergencyAdmin';
    const erin = await pageFor('erin');
    await erin.page.getByTestId(`request-reason-${key}`).waitFor({ state: 'visible', ...WAIT });
    await erin.page.getByTestId(`request-reason-${key}`).fill('database down, incident 77');
    await erin.page.getByTestId(`request-breakglass-${key}`).check();
    await erin.page.getByTestId(`request-submit-${key}`).click();
    // The window opens at once: the row shows it and the Console link.
    await erin.page.getByTestId(`window-${key}`).waitFor({ state: 'visible', ...WAIT });
    expect(await erin.page.getByTestId(`console-${key}`).isVisible()).toBe(true);
    const requestId = (await s.sql.query<{ id: string }>(`SELECT id FROM access_requests WHERE break_glass ORDER BY created_at DESC LIMIT 1`)).rows[0]!.id;

    const bob = await pageFor('bob', '/admin/reviews');
    await bob.page.getByTestId(`review-${requestId}`).waitFor({ state: 'visible', ...WAIT });
    await shot(bob.page, 'break-glass-review');
    await bob.page.getByTestId(`review-note-${requestId}`).fill('checked CloudTrail; only the restart');
    await bob.page.getByTestId(`review-close-${requestId}`).click();
    await expect.poll(() => bob.page.getByTestId(`review-${requestId}`).count(), WAIT).toBe(0);
    const row = (await s.sql.query(`SELECT review_status, review_by_email, review_note FROM access_requests WHERE id = $1`, [requestId])).rows[0];
    expect(row).toEqual({ review_status: 'closed', review_by_email: 'bob@example.com', review_note: 'checked CloudTrail; only the restart' });
    for (const p of [erin, bob]) expect(p.errors).toEqual([]);
  });

  it('admin form: an approval policy is set at its fields, refused without approvers, and saved with the change log', { timeout: 120_000 }, async () => {
    const s = ready();
    const bob = await pageFor('bob', '/admin/mappings');
    const page = bob.page;
    await page.getByTestId('mapping-new').click();
    await page.getByTestId('mapping-form').waitFor({ state: 'visible', ...WAIT });
    await page.getByTestId('mapping-group').fill('release-managers');
    await page.getByTestId('mapping-role-arn').fill('arn:aws:iam::222222222222:role/Deployer');
    await page.getByTestId('mapping-max-hours').fill('2');
    await page.getByTestId('mapping-max-minutes').fill('0');
    await page.getByTestId('mapping-access-approval').check();
    await page.getByTestId('mapping-save').click();
    // No approver group: refused at the field, nothing stored.
    await expect.poll(() => page.getByTestId('mapping-form').textContent(), WAIT).toContain('Name at least one approver group.');
    const count = async () => (await s.sql.query(`SELECT count(*)::int AS n FROM role_mappings WHERE "group" = 'release-managers'`)).rows[0].n;
    expect(await count()).toBe(0);
    await page.getByTestId('mapping-approvers').fill('approvers\nsecurity-leads');
    await page.getByTestId('mapping-approvals').fill('2');
    await page.getByTestId('mapping-break-glass').check();
    // Extensions without approval: checked at the field (0 to 10) before anything is sent.
    await page.getByTestId('mapping-free-extensions').fill('11');
    await page.getByTestId('mapping-save').click();
    await expect.poll(() => page.getByTestId('mapping-form').textContent(), WAIT).toContain('A whole number from 0 to 10.');
    expect(await count()).toBe(0);
    await page.getByTestId('mapping-free-extensions').fill('2');
    await page.getByTestId('mapping-save').click();
    await expect.poll(count, WAIT).toBe(1);
    const row = (
      await s.sql.query(`SELECT access, approvers, approvals, break_glass, extensions_without_approval FROM role_mappings WHERE "group" = 'release-managers'`)
    ).rows[0];
    expect(row).toEqual({ access: 'approval', approvers: ['approvers', 'security-leads'], approvals: 2, break_glass: true, extensions_without_approval: 2 });
    const change = (await s.sql.query(`SELECT after FROM admin_changes WHERE entity = 'mapping' AND after->>'group' = 'release-managers'`)).rows[0];
    expect(change.after).toMatchObject({
      access: 'approval',
      approvers: ['approvers', 'security-leads'],
      approvals: 2,
      breakGlass: true,
      extensionsWithoutApproval: 2,
    });
    expect(bob.errors).toEqual([]);
  });
});
