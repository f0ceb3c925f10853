import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchChromium, missingBrowserPrerequisite, SCREENSHOTS, shot, signInThroughPortal, WEB_DIST } from './support/chromium.js';
import { startStack, type Stack } from './support/stack.js';

/**
 * The employee's main flow in a real browser: sign in through the dev OIDC
 * provider, pick a role on the portal, land in the (emulated) AWS console.
 * Needs a built web app (`pnpm --filter @rolegate/web build`) and Chromium.
 */

const WAIT = { timeout: 15_000 };
const DEV_ROLE = '111111111111-Developer';

let stack: Stack | undefined;
let browser: Browser | undefined;
let browserContext: BrowserContext | undefined;

function ready(): { s: Stack; context: BrowserContext } {
  const missing = missingBrowserPrerequisite();
  if (missing) throw new Error(missing);
  return { s: stack!, context: browserContext! };
}

beforeAll(async () => {
  if (missingBrowserPrerequisite()) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  stack = await startStack({ webDist: WEB_DIST });
  browser = await launchChromium();
  browserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browserContext?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await stack?.close();
});

async function signInAsAlice(page: Page, s: Stack) {
  await signInThroughPortal(page, s, 'alice', {
    wait: WAIT,
    onSignInScreen: () => shot(page, 'sign-in'),
    beforeSubmit: () => shot(page, 'idp-login'),
  });
}

describe('browser: employee opens the AWS console from the portal', () => {
  it('signs in through OIDC, clicks Console, and lands in the console as Developer with an issued grant', { timeout: 120_000 }, async () => {
    const { s, context } = ready();
    const page = await context.newPage();
    const errors = collectPageErrors(page, s.baseUrl);
    await signInAsAlice(page, s);

    const role = page.getByTestId(`role-${DEV_ROLE}`);
    await role.waitFor({ state: 'visible', ...WAIT });
    await shot(page, 'portal');
    expect(errors).toEqual([]);

    expect(s.aws.countCalls('AssumeRole')).toBe(0);
    // Console is a real link that opens a new tab (issue 11 §4).
    expect(await page.getByTestId(`console-${DEV_ROLE}`).getAttribute('target')).toBe('_blank');
    const [consoleTab] = await Promise.all([context.waitForEvent('page'), page.getByTestId(`console-${DEV_ROLE}`).click()]);
    await consoleTab.waitForURL((url) => url.origin !== s.baseUrl, WAIT);
    const roleName = consoleTab.locator('#role-name');
    await roleName.waitFor({ state: 'visible', ...WAIT });
    await expect.poll(() => roleName.textContent(), WAIT).toBe('Developer');
    expect(await consoleTab.locator('#session-name').textContent()).toContain('alice@example.com');
    await shot(consoleTab, 'console');
    await consoleTab.close();

    expect(s.aws.countCalls('AssumeRole')).toBe(1);
    const rows = await s.grantRows(`user_email = $1 AND kind = 'console'`, ['alice@example.com']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'issued',
      kind: 'console',
      role_arn: 'arn:aws:iam::111111111111:role/Developer',
      user_email: 'alice@example.com',
    });
    await page.close();
  });

  it('shows the portal at phone width and the CLI credentials dialog', { timeout: 60_000 }, async () => {
    // Runs after the first test: the context keeps alice's session, and her history holds its console grant.
    const { s, context } = ready();
    const page = await context.newPage();
    const errors = collectPageErrors(page, s.baseUrl);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(s.baseUrl, WAIT);
    await page.getByTestId(`role-${DEV_ROLE}`).waitFor({ state: 'visible', ...WAIT });
    await shot(page, 'portal-phone');

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId(`cli-${DEV_ROLE}`).click();
    const dialog = page.getByTestId('credentials-panel');
    await dialog.waitFor({ state: 'visible', ...WAIT });
    await expect.poll(() => dialog.textContent(), WAIT).toContain('AWS_ACCESS_KEY_ID');
    await shot(page, 'cli-credentials');
    await page.setViewportSize({ width: 390, height: 844 });
    // The modal sits in the viewport: a full-page capture would show the page below it.
    await shot(page, 'cli-credentials-phone', false);
    await page.getByTestId('credentials-close').click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });

    // Both grants so far (console, then CLI) show up in the user's history.
    await page.getByTestId('tab-grants').click();
    await page
      .locator('#panel-grants tbody tr')
      .nth(1)
      .waitFor({ state: 'visible', ...WAIT });
    await shot(page, 'my-grants-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, 'my-grants');
    expect(errors).toEqual([]);
    await page.close();
  });
});
