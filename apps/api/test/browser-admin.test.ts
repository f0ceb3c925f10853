import { mkdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchChromium, missingBrowserPrerequisite, SCREENSHOTS, shot, signInThroughPortal, WEB_DIST } from './support/chromium.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * Admin and auditor screens in a real browser: bob (admin) maps the group
 * `engineers` to a role, alice (engineers) then sees it and opens the console,
 * carol (auditor) finds that grant, opens its detail and downloads it as CSV.
 * Needs a built web app (`pnpm exec vite build` in apps/web) and Chromium.
 */

// Generous: the machine is shared, and a slow step must not read as a failure (no timing is asserted).
const WAIT = { timeout: 30_000 };

const ANALYST_ARN = 'arn:aws:iam::333333333333:role/DataAnalyst';
const ANALYST_KEY = '333333333333-DataAnalyst';
const NEW_MAPPING_KEY = 'engineers-333333333333-DataAnalyst';

// The emulator trusts the roles named in these mappings. DataAnalyst is mapped
// only to a group nobody has, so alice cannot use it until bob maps `engineers`.
const MAPPINGS_YAML = `accounts:
  - id: "111111111111"
    name: sandbox
  - id: "333333333333"
    name: analytics
mappings:
  - group: engineers
    roleArn: arn:aws:iam::111111111111:role/Developer
    maxDurationSeconds: 14400
    description: Build and experiment in the sandbox account
  - group: data-team-nobody-has
    roleArn: ${ANALYST_ARN}
    maxDurationSeconds: 3600
    description: Query the analytics warehouse
  - group: auditors
    roleArn: arn:aws:iam::111111111111:role/Developer
    maxDurationSeconds: 3600
`;

let stack: Stack | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

function ready(): Stack {
  const missing = missingBrowserPrerequisite();
  if (missing) throw new Error(missing);
  return stack!;
}

beforeAll(async () => {
  if (missingBrowserPrerequisite()) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  stack = await startStack({ webDist: WEB_DIST, mappingsYaml: MAPPINGS_YAML });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await stack?.close();
});

/** A fresh browser profile (own cookies) for one person. */
async function newContext(): Promise<BrowserContext> {
  const context = await browser!.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  contexts.push(context);
  return context;
}

async function signIn(page: Page, s: Stack, username: string, path = '/') {
  await signInThroughPortal(page, s, username, { path, wait: WAIT });
  await page.getByTestId('user-email').waitFor({ state: 'visible', ...WAIT });
}

async function mappingRows(s: Stack, group: string, roleArn: string) {
  const res = await s.sql.query(`SELECT "group", role_arn, max_duration_seconds, enabled FROM role_mappings WHERE "group" = $1 AND role_arn = $2`, [
    group,
    roleArn,
  ]);
  return res.rows;
}

async function mappingCount(s: Stack): Promise<number> {
  const res = await s.sql.query('SELECT count(*)::int AS n FROM role_mappings');
  return res.rows[0].n;
}

describe('browser: admin maps a group, the member uses the role, the auditor finds the grant', () => {
  let grantId = '';

  it(
    'bob (admin) creates the engineers → DataAnalyst mapping, with inline validation, trust policy, import preview and change history',
    { timeout: 180_000 },
    async () => {
      const s = ready();
      const page = await (await newContext()).newPage();
      const errors = collectPageErrors(page, s.baseUrl);
      await signIn(page, s, 'bob');

      // Admin tabs are shown; the auditor's tab is not (bob is not an auditor).
      await page.getByTestId('tab-mappings').waitFor({ state: 'visible', ...WAIT });
      expect(await page.getByTestId('tab-changes').isVisible()).toBe(true);
      expect(await page.getByTestId('tab-audit').count()).toBe(0);

      await page.getByTestId('tab-mappings').click();
      await page.getByTestId('mapping-data-team-nobody-has-333333333333-DataAnalyst').waitFor({ state: 'visible', ...WAIT });
      expect(new URL(page.url()).pathname).toBe('/admin/mappings');
      await shot(page, 'admin-mappings');
      const before = await mappingCount(s);

      // Mistakes are stopped at their field, before anything is sent.
      await page.getByTestId('mapping-new').click();
      const form = page.getByTestId('mapping-form');
      await form.waitFor({ state: 'visible', ...WAIT });
      await page.getByTestId('mapping-group').fill('engineers ');
      await page.getByTestId('mapping-role-arn').fill('arn:aws:iam::3333:role/DataAnalyst');
      await page.getByTestId('mapping-max-hours').fill('16');
      await page.getByTestId('mapping-max-minutes').fill('40');
      await page.getByTestId('mapping-save').click();
      await expect.poll(() => form.textContent(), WAIT).toContain('The account ID in the ARN must be exactly 12 digits.');
      expect(await form.textContent()).toContain('Remove the spaces before or after the group');
      expect(await form.textContent()).toContain('Must be between 15 min and 12 h.');
      await page.getByTestId('mapping-role-arn').fill('arn:aws-gov:iam::333333333333:role/DataAnalyst');
      await expect.poll(() => form.textContent(), WAIT).toContain('Unknown partition "aws-gov"');
      await shot(page, 'admin-mapping-form-error');
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'admin-mapping-form-error-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(await mappingCount(s)).toBe(before);

      // Corrected, it is saved.
      await page.getByTestId('mapping-group').fill('engineers');
      await page.getByTestId('mapping-role-arn').fill(ANALYST_ARN);
      await page.getByTestId('mapping-max-hours').fill('2');
      await page.getByTestId('mapping-max-minutes').fill('0');
      await page.getByTestId('mapping-description').fill('Query the analytics warehouse');
      await expect.poll(() => page.getByTestId('mapping-arn-summary').textContent(), WAIT).toContain('(analytics)');
      await page.getByTestId('mapping-save').click();
      await expect.poll(() => page.getByTestId('mappings-message').textContent(), WAIT).toContain('Saved engineers → DataAnalyst');
      await page.getByTestId(`mapping-${NEW_MAPPING_KEY}`).waitFor({ state: 'visible', ...WAIT });
      expect(await mappingRows(s, 'engineers', ANALYST_ARN)).toEqual([
        { group: 'engineers', role_arn: ANALYST_ARN, max_duration_seconds: 7200, enabled: true },
      ]);

      // The trust policy the role needs, ready to copy.
      await page.getByTestId(`trust-${NEW_MAPPING_KEY}`).click();
      const policy = page.getByTestId('copy-trust-policy-text');
      await policy.waitFor({ state: 'visible', ...WAIT });
      const policyText = (await policy.textContent()) ?? '';
      expect(JSON.parse(policyText).Statement[0].Action).toEqual(expect.arrayContaining(['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']));
      await shot(page, 'admin-trust-policy');
      await page.getByTestId('trust-close').click();

      // Import: the dry run shows the diff and changes nothing.
      await page.getByTestId('mappings-import').click();
      const yaml = `${MAPPINGS_YAML}  - group: engineers
    roleArn: ${ANALYST_ARN}
    maxDurationSeconds: 3600
    description: Query the analytics warehouse
  - group: sre
    roleArn: arn:aws:iam::111111111111:role/Developer
    maxDurationSeconds: 900
`;
      await page.getByTestId('import-yaml').fill(yaml);
      await page.getByTestId('import-preview').click();
      const summary = page.getByTestId('import-summary');
      await summary.waitFor({ state: 'visible', ...WAIT });
      expect(await summary.textContent()).toContain('1 to create');
      expect(await summary.textContent()).toContain('1 to change');
      expect(await page.getByTestId('import-diff').textContent()).toContain('sre');
      await shot(page, 'admin-import-dry-run');
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'admin-import-dry-run-phone');
      await page.setViewportSize({ width: 1280, height: 800 });
      expect(await mappingCount(s)).toBe(before + 1);
      expect(await mappingRows(s, 'sre', 'arn:aws:iam::111111111111:role/Developer')).toEqual([]);
      expect((await mappingRows(s, 'engineers', ANALYST_ARN))[0].max_duration_seconds).toBe(7200);

      // The change history names bob and the new mapping.
      await page.getByTestId('tab-changes').click();
      const changes = page.getByTestId('changes-table');
      await changes.waitFor({ state: 'visible', ...WAIT });
      const changesText = (await changes.textContent()) ?? '';
      expect(changesText).toContain('bob@example.com');
      expect(changesText).toContain('engineers → DataAnalyst');
      await shot(page, 'admin-change-history');

      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'admin-change-history-phone');
      await page.getByTestId('tab-mappings').click();
      await page.getByTestId(`mapping-${NEW_MAPPING_KEY}`).waitFor({ state: 'visible', ...WAIT });
      await shot(page, 'admin-mappings-phone');
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('alice (engineers) now sees DataAnalyst and opens the console as it', { timeout: 120_000 }, async () => {
    const s = ready();
    const page = await (await newContext()).newPage();
    const errors = collectPageErrors(page, s.baseUrl);
    await signIn(page, s, 'alice');

    const role = page.getByTestId(`role-${ANALYST_KEY}`);
    await role.waitFor({ state: 'visible', ...WAIT });
    // An employee gets no admin or auditor tabs.
    expect(await page.getByTestId('tab-mappings').count()).toBe(0);
    expect(await page.getByTestId('tab-audit').count()).toBe(0);

    const calls = s.aws.countCalls('AssumeRole');
    const [consoleTab] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId(`console-${ANALYST_KEY}`).click()]);
    await consoleTab.waitForURL((url) => url.origin !== s.baseUrl, WAIT);
    const roleName = consoleTab.locator('#role-name');
    await roleName.waitFor({ state: 'visible', ...WAIT });
    await expect.poll(() => roleName.textContent(), WAIT).toBe('DataAnalyst');
    await shot(consoleTab, 'console-data-analyst');
    await consoleTab.close();
    expect(s.aws.countCalls('AssumeRole')).toBe(calls + 1);

    // A bookmarked admin screen shows alice a "no access" screen naming the role it needs (the server would answer 403 anyway).
    await page.goto(`${s.baseUrl}/admin/mappings`, WAIT);
    await page.getByTestId('forbidden').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByTestId('forbidden').textContent()).toContain('admin role');
    expect(await page.getByTestId('tab-mappings').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/admin/mappings');
    await page.getByTestId('go-portal').click();
    await page.getByTestId(`role-${ANALYST_KEY}`).waitFor({ state: 'visible', ...WAIT });
    expect(new URL(page.url()).pathname).toBe('/');

    const rows = await s.grantRows(`user_email = $1 AND role_arn = $2`, ['alice@example.com', ANALYST_ARN]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'issued', kind: 'console' });
    grantId = rows[0].id;
    expect(errors).toEqual([]);
    await page.close();
  });

  it('carol (auditor) filters by alice, opens the grant and downloads a CSV that contains it', { timeout: 120_000 }, async () => {
    const s = ready();
    expect(grantId).not.toBe('');
    // Someone else's grant, which the user filter must leave out of the list and the CSV.
    const other = await s.signIn('carol');
    const [entitlement] = (await other.get('/api/entitlements')).json().items;
    expect((await other.post('/api/grants', { entitlementId: entitlement.id, kind: 'cli' })).status).toBe(201);
    expect(await s.grantRows('user_email = $1', ['carol@example.com'])).toHaveLength(1);

    const page = await (await newContext()).newPage();
    const errors = collectPageErrors(page, s.baseUrl);
    await signIn(page, s, 'carol');

    await page.getByTestId('tab-audit').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByTestId('tab-mappings').count()).toBe(0);
    await page.getByTestId('tab-audit').click();
    await page.getByTestId('audit-table').waitFor({ state: 'visible', ...WAIT });

    // An invalid filter is caught at its field.
    await page.getByTestId('filter-account').fill('12345');
    await page.getByTestId('filter-apply').click();
    await expect.poll(() => page.getByTestId('audit-filters').textContent(), WAIT).toContain('An account ID is exactly 12 digits.');
    await page.getByTestId('filter-account').fill('');

    // Exact user filter: the URL carries it, and every row is alice's.
    await page.getByTestId('filter-user').fill('alice@example.com');
    await page.getByTestId('filter-apply').click();
    await page.waitForURL((url) => url.searchParams.get('user') === 'alice@example.com', WAIT);
    const row = page.getByTestId(`audit-grant-${grantId}`);
    await row.waitFor({ state: 'visible', ...WAIT });
    // The previous (unfiltered) page stays on screen while the filtered one loads, so poll until it is replaced.
    const users = () => page.locator('[data-testid="audit-table"] td[data-label="User"]').allTextContents();
    await expect.poll(async () => [...new Set(await users())], WAIT).toEqual(['alice@example.com']);
    await shot(page, 'audit-grant-history');

    await page.getByTestId(`open-grant-${grantId}`).click();
    const detail = page.getByTestId('grant-detail');
    await detail.waitFor({ state: 'visible', ...WAIT });
    expect(new URL(page.url()).pathname).toBe(`/audit/grants/${grantId}`);
    expect(await page.getByTestId('detail-role-arn').textContent()).toBe(ANALYST_ARN);
    expect(await page.getByTestId('detail-session-name').textContent()).toContain('alice@example.com');
    expect(await page.getByTestId('detail-access-key').textContent()).toMatch(/^ASIA/);
    expect(await page.getByTestId('grant-cloudtrail').textContent()).toContain(`rolegate:grant-id = ${grantId}`);
    await shot(page, 'audit-grant-detail');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'audit-grant-detail-phone');

    // Back keeps the filter; the CSV download is a plain link carrying it.
    await page.getByTestId('grant-back').click();
    await row.waitFor({ state: 'visible', ...WAIT });
    expect(new URL(page.url()).searchParams.get('user')).toBe('alice@example.com');
    await shot(page, 'audit-grant-history-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('userEmail');
    const dataLines = lines.slice(1);
    expect(dataLines.some((l) => l.startsWith(`${grantId},`) && l.includes(ANALYST_ARN))).toBe(true);
    // The export honours the filter: only alice's grants.
    expect(dataLines.length).toBeGreaterThan(0);
    expect(dataLines.every((l) => l.includes('alice@example.com'))).toBe(true);
    expect(csv).not.toContain('carol@example.com');

    // A grant that does not exist: an error with a way back, never a blank screen.
    await page.goto(`${s.baseUrl}/audit/grants/00000000-0000-4000-8000-000000000000`, WAIT);
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible', ...WAIT });
    expect(await alert.textContent()).toContain('The grant could not be loaded');
    expect(await page.getByTestId('grant-back').isVisible()).toBe(true);
    await shot(page, 'audit-grant-not-found');
    // The 404 of the missing grant is the expected answer here, not a page error.
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    await page.close();
  });
});
