import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { browserSuite, collectPageErrors, shot, signInThroughPortal } from './support/chromium.js';
import type { Stack } from './support/stack.js';

/**
 * Issue 11 §4 in real Chromium: what IAM Identity Center users expect of the
 * portal. Search over accounts and roles, favourites pinned on top and
 * recently used roles (kept per person on the server, so they survive a new
 * browser profile), the console as a real link opening a new tab with the
 * person's region, and "Copy link" for the bookmarkable deep link.
 */

const WAIT = { timeout: 30_000 };

const MAPPINGS_YAML = `accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
  - { id: "333333333333", name: analytics }
  - { id: "444444444444", name: security }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400, description: Build and experiment }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/ReadOnly", maxDurationSeconds: 3600, description: Look at production }
  - { group: engineers, roleArn: "arn:aws:iam::333333333333:role/DataAnalyst", maxDurationSeconds: 3600, description: Query the warehouse }
  - { group: engineers, roleArn: "arn:aws:iam::444444444444:role/BreakGlass", maxDurationSeconds: 3600, requireReason: true, description: Emergency access }
`;

const { ready, newContext } = browserSuite({ mappingsYaml: MAPPINGS_YAML });

/** A fresh browser profile (own cookies, clipboard allowed) signed in as alice. */
async function alicePage(s: Stack): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const context = await newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.baseUrl });
  const page = await context.newPage();
  const errors = collectPageErrors(page, s.baseUrl);
  await signInThroughPortal(page, s, 'alice', { wait: WAIT });
  await page.getByTestId('role-search').waitFor({ state: 'visible', ...WAIT });
  return { page, context, errors };
}

const visibleRoles = (page: Page) =>
  page.locator('[data-testid^="role-"]:not([data-testid^="role-search"])').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));

describe('portal (issue 11 §4)', () => {
  it('search narrows by account name, account id, role and description', { timeout: 120_000 }, async () => {
    const s = ready();
    const { page, errors } = await alicePage(s);
    expect(await visibleRoles(page)).toHaveLength(4);
    for (const [query, expected] of [
      ['production', ['role-222222222222-ReadOnly']],
      ['3333', ['role-333333333333-DataAnalyst']],
      ['developer', ['role-111111111111-Developer']],
      ['WAREHOUSE', ['role-333333333333-DataAnalyst']],
      ['look production', ['role-222222222222-ReadOnly']],
    ] as const) {
      await page.getByTestId('role-search').fill(query);
      await expect.poll(() => visibleRoles(page), WAIT).toEqual(expected);
    }
    await page.getByTestId('role-search').fill('nothing-like-this');
    await expect.poll(() => page.getByTestId('role-search-empty').textContent(), WAIT).toContain('No roles match');
    await page.getByTestId('role-search').fill('');
    await expect.poll(() => visibleRoles(page), WAIT).toHaveLength(4);
    expect(errors).toEqual([]);
  });

  it('favourites are pinned on top, kept on the server (a new browser profile sees them), and unpinned again', { timeout: 120_000 }, async () => {
    const s = ready();
    const { page, errors } = await alicePage(s);
    await page.getByTestId('favourite-333333333333-DataAnalyst').click();
    await page.getByTestId('favourites').waitFor({ state: 'visible', ...WAIT });
    await expect.poll(() => page.getByTestId('favourites').locator('[data-testid="role-333333333333-DataAnalyst"]').count(), WAIT).toBe(1);
    expect(await page.getByTestId('favourite-333333333333-DataAnalyst').getAttribute('aria-pressed')).toBe('true');
    // Pinned first: before every account section.
    expect((await visibleRoles(page))[0]).toBe('role-333333333333-DataAnalyst');
    await expect
      .poll(
        async () =>
          (await s.sql.query(`SELECT p.favourites::text[] AS f FROM user_preferences p JOIN users u ON u.id = p.user_id WHERE u.email = 'alice@example.com'`))
            .rows,
        WAIT,
      )
      .toEqual([{ f: [await s.mappingId('arn:aws:iam::333333333333:role/DataAnalyst')] }]);
    await shot(page, 'portal-favourites');

    const other = await alicePage(s);
    await other.page.getByTestId('favourites').waitFor({ state: 'visible', ...WAIT });
    expect((await visibleRoles(other.page))[0]).toBe('role-333333333333-DataAnalyst');

    await other.page.getByTestId('favourite-333333333333-DataAnalyst').click();
    await other.page.getByTestId('favourites').waitFor({ state: 'detached', ...WAIT });
    await expect
      .poll(
        async () =>
          (await s.sql.query(`SELECT p.favourites::text[] AS f FROM user_preferences p JOIN users u ON u.id = p.user_id WHERE u.email = 'alice@example.com'`))
            .rows,
        WAIT,
      )
      .toEqual([{ f: [] }]);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
  });

  it(
    'Console is a real link to the deep link, opens a new tab in the chosen region; the region is remembered; Copy link copies it; recently used lists the role',
    { timeout: 120_000 },
    async () => {
      const s = ready();
      const { page, context, errors } = await alicePage(s);
      const link = page.getByTestId('console-222222222222-ReadOnly');
      expect(await link.evaluate((a) => a.tagName)).toBe('A');
      expect(await link.getAttribute('href')).toBe('/console/222222222222/ReadOnly?duration=3600');
      expect(await link.getAttribute('target')).toBe('_blank');

      await page.getByTestId('console-region').selectOption('eu-west-1');
      const destination = encodeURIComponent('https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
      await expect.poll(() => link.getAttribute('href'), WAIT).toBe(`/console/222222222222/ReadOnly?duration=3600&destination=${destination}`);
      await expect
        .poll(
          async () => (await s.sql.query(`SELECT p.region FROM user_preferences p JOIN users u ON u.id = p.user_id WHERE u.email = 'alice@example.com'`)).rows,
          WAIT,
        )
        .toEqual([{ region: 'eu-west-1' }]);

      // Copy link: the absolute deep link on the clipboard.
      await page.getByTestId('copy-link-222222222222-ReadOnly').click();
      await expect.poll(() => page.getByTestId('copy-link-status-222222222222-ReadOnly').textContent(), WAIT).toContain('Link copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
        `${s.baseUrl}/console/222222222222/ReadOnly?duration=3600&destination=${destination}`,
      );

      // Opening it: a new tab lands in the console, in the region, and the portal stays where it was.
      const before = s.aws.countCalls('AssumeRole');
      const [consoleTab] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await consoleTab.waitForURL((url) => url.origin !== s.baseUrl, WAIT);
      await consoleTab.locator('#role-name').waitFor({ state: 'visible', ...WAIT });
      expect(await consoleTab.locator('#role-name').textContent()).toBe('ReadOnly');
      expect(await consoleTab.locator('#destination').textContent()).toBe('https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1');
      await shot(consoleTab, 'console-new-tab-region');
      await consoleTab.close();
      expect(s.aws.countCalls('AssumeRole')).toBe(before + 1);
      expect(new URL(page.url()).origin).toBe(s.baseUrl);
      const rows = await s.grantRows(`user_email = $1 AND role_arn = $2`, ['alice@example.com', 'arn:aws:iam::222222222222:role/ReadOnly']);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'issued', kind: 'console', duration_seconds: 3600 });

      // A new profile: the region is still chosen, and the role is under "Recently used" as a link.
      const other = await alicePage(s);
      // The preferences arrive after the entitlements under load: wait for them rather than read the first render.
      await expect.poll(() => other.page.getByTestId('console-region').inputValue(), WAIT).toBe('eu-west-1');
      const recent = other.page.getByTestId('recent-222222222222-ReadOnly');
      await recent.waitFor({ state: 'visible', ...WAIT });
      expect(await recent.locator('a').getAttribute('href')).toBe(`/console/222222222222/ReadOnly?destination=${destination}`);
      await shot(other.page, 'portal-recent-region');
      expect(errors).toEqual([]);
      expect(other.errors).toEqual([]);
    },
  );
});

describe('a role that needs a reason (issue 11 §4)', () => {
  it('opens its console in a new tab too, cut from the portal (no opener), with the reason recorded', { timeout: 120_000 }, async () => {
    const s = ready();
    const { page, context, errors } = await alicePage(s);
    await page.getByTestId('reason-444444444444-BreakGlass').fill('INC-42 database down');
    const before = s.aws.countCalls('AssumeRole');
    const [consoleTab] = await Promise.all([context.waitForEvent('page'), page.getByTestId('console-444444444444-BreakGlass').click()]);
    await consoleTab.waitForURL((url) => url.origin !== s.baseUrl && url.protocol !== 'about:', WAIT);
    await consoleTab.locator('#role-name').waitFor({ state: 'visible', ...WAIT });
    expect(await consoleTab.locator('#role-name').textContent()).toBe('BreakGlass');
    expect(await consoleTab.evaluate(() => window.opener)).toBeNull();
    await consoleTab.close();
    expect(s.aws.countCalls('AssumeRole')).toBe(before + 1);
    expect(new URL(page.url()).origin).toBe(s.baseUrl);
    const rows = await s.grantRows(`user_email = $1 AND role_arn = $2`, ['alice@example.com', 'arn:aws:iam::444444444444:role/BreakGlass']);
    expect(rows.map((r) => [r.status, r.kind, r.reason])).toEqual([['issued', 'console', 'INC-42 database down']]);
    expect(errors).toEqual([]);
  });
});

describe('portal screens for wrong addresses and ended sessions (issue 11 §4)', () => {
  it('a wrong URL is a 404 screen and an admin page a 403 screen, never the portal in disguise', { timeout: 120_000 }, async () => {
    const s = ready();
    const { page, errors } = await alicePage(s);
    await page.goto(`${s.baseUrl}/no/such/page`, WAIT);
    await page.getByTestId('not-found').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('h1').textContent()).toBe('Page not found');
    expect(await page.getByTestId('not-found').textContent()).toContain('/no/such/page');
    expect(await page.getByTestId('role-search').count()).toBe(0);
    expect(await page.getByTestId('tab-access').getAttribute('aria-selected')).toBe('false');
    await shot(page, 'portal-not-found');

    await page.goto(`${s.baseUrl}/audit/grants`, WAIT);
    await page.getByTestId('forbidden').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('h1').textContent()).toBe('No access to this page');
    expect(await page.getByTestId('forbidden').textContent()).toContain('auditor role');
    expect(await page.getByTestId('audit-table').count()).toBe(0);
    await shot(page, 'portal-forbidden');
    expect(errors).toEqual([]);
  });

  it('signing out in another tab: this tab says the session ended, and signing in again returns to where the person was', { timeout: 120_000 }, async () => {
    const s = ready();
    const { page, context, errors } = await alicePage(s);
    await page.getByTestId('tab-tokens').click();
    await page.waitForURL((url) => url.pathname === '/tokens', WAIT);

    const other = await context.newPage();
    await other.goto(s.baseUrl, WAIT);
    await other.locator('#sign-out').click();
    await other.getByTestId('sign-in-oidc').waitFor({ state: 'visible', ...WAIT });
    expect(await other.evaluate(async () => (await fetch('/api/me')).status)).toBe(401);

    // The first tab notices without a click.
    await page.getByTestId('session-ended').waitFor({ state: 'visible', ...WAIT });
    expect(await page.locator('h1').textContent()).toBe('Your session has ended');
    await shot(page, 'portal-session-ended');

    await page.getByTestId('sign-in-oidc').click();
    await page.waitForURL((url) => url.origin === new URL(s.idp.issuer).origin || url.pathname === '/tokens', WAIT);
    if (new URL(page.url()).origin !== s.baseUrl) {
      await page.locator('#username').waitFor({ state: 'visible', ...WAIT });
      await page.fill('#username', 'alice');
      await page.fill('#password', s.userPassword('alice'));
      await page.click('#sign-in');
    }
    await page.waitForURL((url) => url.origin === s.baseUrl && url.pathname === '/tokens', WAIT);
    await page.getByTestId('panel-tokens').waitFor({ state: 'visible', ...WAIT });
    expect(errors).toEqual([]);
  });
});

describe('active grants count down (issue 11 §4)', () => {
  it('CLI credentials and My grants show the end in local time and the time left, live', { timeout: 120_000 }, async () => {
    const s = ready();
    const context = await newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo', locale: 'en-US' });
    const page = await context.newPage();
    const errors = collectPageErrors(page, s.baseUrl);
    await page.clock.install();
    await signInThroughPortal(page, s, 'alice', { wait: WAIT });
    await page.getByTestId('role-search').waitFor({ state: 'visible', ...WAIT });

    await page.getByTestId('cli-111111111111-Developer').click();
    await page.getByTestId('credentials-time-left').waitFor({ state: 'visible', ...WAIT });
    const [row] = await s.grantRows(`user_email = $1 AND kind = 'cli'`, ['alice@example.com']);
    const expires = new Date(row.expires_at);
    // The end, in the browser's time zone (Tokyo here), with the zone named.
    const tokyo = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', timeZoneName: 'short', timeZone: 'Asia/Tokyo' }).format(expires);
    expect(await page.getByTestId('credentials-time-left').textContent()).toContain(`ends ${tokyo}`);
    const seconds = (text: string | null) => {
      const m = /^(?:(\d+) h )?(?:(\d+) min )?(\d+) s$/.exec(text ?? '');
      if (!m) throw new Error(`not a countdown: ${text}`);
      return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
    };
    const first = seconds(await page.getByTestId('credentials-time-left-remaining').textContent());
    expect(first).toBeGreaterThan(3000);
    expect(first).toBeLessThanOrEqual(3600);
    // The page's clock moves five minutes: the countdown follows without a reload.
    await page.clock.fastForward('05:00');
    await expect.poll(async () => first - seconds(await page.getByTestId('credentials-time-left-remaining').textContent()), WAIT).toBeGreaterThanOrEqual(300);
    await shot(page, 'cli-credentials-time-left', false);
    await page.getByTestId('credentials-close').click();

    await page.getByTestId('tab-grants').click();
    const left = page.getByTestId(`time-left-${row.id}`);
    await left.waitFor({ state: 'visible', ...WAIT });
    expect(await left.textContent()).toContain(`ends ${tokyo}`);
    const inList = seconds(await page.getByTestId(`time-left-${row.id}-remaining`).textContent());
    await page.clock.fastForward('10:00');
    await expect.poll(async () => inList - seconds(await page.getByTestId(`time-left-${row.id}-remaining`).textContent()), WAIT).toBeGreaterThanOrEqual(600);
    await shot(page, 'my-grants-time-left');
    expect(errors).toEqual([]);
  });
});

describe('dark mode (issue 11 §4)', () => {
  it('follows the system setting: dark colours when the system prefers dark, light otherwise (portal and server pages)', { timeout: 120_000 }, async () => {
    const s = ready();
    const colours = async (page: Page) =>
      page.evaluate(() => {
        const body = getComputedStyle(document.body);
        return { background: body.backgroundColor, text: body.color, scheme: getComputedStyle(document.documentElement).colorScheme };
      });
    const dark = await newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const light = await newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });

    const darkPage = await dark.newPage();
    const errors = collectPageErrors(darkPage, s.baseUrl);
    await signInThroughPortal(darkPage, s, 'alice', { wait: WAIT });
    await darkPage.getByTestId('role-search').waitFor({ state: 'visible', ...WAIT });
    expect(await colours(darkPage)).toEqual({ background: 'rgb(15, 19, 26)', text: 'rgb(230, 233, 239)', scheme: 'dark' });
    await shot(darkPage, 'portal-dark');

    const lightPage = await light.newPage();
    await lightPage.goto(s.baseUrl, WAIT);
    await lightPage.getByTestId('sign-in-oidc').waitFor({ state: 'visible', ...WAIT });
    expect(await colours(lightPage)).toEqual({ background: 'rgb(245, 246, 248)', text: 'rgb(26, 31, 43)', scheme: 'light' });

    // A server-rendered page (the console interstitial's error page) follows too.
    const serverPage = await dark.newPage();
    await serverPage.goto(`${s.baseUrl}/console/999999999999/Nope`, WAIT);
    expect(await serverPage.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(15, 19, 26)');
    await shot(serverPage, 'server-page-dark');
    expect(errors).toEqual([]);
  });
});
