import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page, type ViewportSize } from 'playwright-core';
import { startStack, type Stack, type StackOptions } from './stack.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const WEB_DIST = path.resolve(import.meta.dirname, '../../../web/dist');
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../../../test-results/screenshots');

/**
 * Why the browser tests cannot run, if they cannot. Each test throws it, so a
 * missing browser or web build shows as FAILED tests (a throwing beforeAll
 * would report them as skipped), never as a pass.
 */
export function missingBrowserPrerequisite(): string | null {
  if (!existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM}; install it or set CHROMIUM_PATH to a Chromium executable`;
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    return `web app not built: ${WEB_DIST}/index.html is missing (run \`pnpm exec vite build\` in apps/web)`;
  }
  return null;
}

/** Headless Chromium as this machine runs it (no background networking: the network is closed). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a screenshot into test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Errors the page reports (script errors, CSP violations, failed loads) on the app's own origin. */
export function collectPageErrors(page: Page, origin: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' || !page.url().startsWith(origin)) return;
    // Signed out, the app's /api/me probe answers 401 by design; Chromium logs it.
    if (/status of 401/.test(msg.text()) && msg.location().url.endsWith('/api/me')) return;
    errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  return errors;
}

/**
 * Signs `username` in through the portal's OIDC button and the dev IdP's
 * login form; `beforeSubmit` runs with the filled form (for a screenshot).
 */
export async function signInThroughPortal(
  page: Page,
  s: Stack,
  username: string,
  opts: { path?: string; wait: { timeout: number }; onSignInScreen?: () => Promise<void>; beforeSubmit?: () => Promise<void> },
): Promise<void> {
  const { wait } = opts;
  await page.goto(`${s.baseUrl}${opts.path ?? '/'}`, wait);
  const button = page.getByTestId('sign-in-oidc');
  await button.waitFor({ state: 'visible', ...wait });
  await opts.onSignInScreen?.();
  await button.click();
  await page.waitForURL((url) => url.origin === new URL(s.idp.issuer).origin, wait);
  await page.locator('#username').waitFor({ state: 'visible', ...wait });
  await page.fill('#username', username);
  await page.fill('#password', s.userPassword(username));
  await opts.beforeSubmit?.();
  await page.click('#sign-in');
  await page.waitForURL((url) => url.origin === s.baseUrl, wait);
}

/**
 * The setup every browser test file shares: one stack serving the web build
 * and one Chromium for the file, made in beforeAll and closed (with every
 * context made through `newContext`) in afterAll. Without Chromium or the web
 * build, `ready()` throws the reason in each test, so the tests FAIL rather
 * than skip.
 */
export function browserSuite(opts: StackOptions = {}) {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (missingBrowserPrerequisite()) return;
    await mkdir(SCREENSHOTS, { recursive: true });
    stack = await startStack({ webDist: WEB_DIST, ...opts });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await stack?.close();
  });
  /** A new browser context, closed with the suite. */
  async function newContext(options?: BrowserContextOptions): Promise<BrowserContext> {
    const context = await browser!.newContext(options);
    contexts.push(context);
    return context;
  }
  return {
    /** The stack, or the reason the browser tests cannot run. */
    ready(): Stack {
      const missing = missingBrowserPrerequisite();
      if (missing) throw new Error(missing);
      return stack!;
    },
    newContext,
    /** A page in a fresh browser profile (its own context) of the given viewport, closed with the suite. */
    async newPage(viewport: ViewportSize): Promise<Page> {
      return (await newContext({ viewport })).newPage();
    },
    /**
     * A page in a fresh profile, signed in as `username` through the portal
     * and left at `path`; `errors` collects the page's errors from the start
     * (see collectPageErrors). With `waitForUser`, it also waits until the
     * app shows who is signed in.
     */
    async signedInPage(
      username: string,
      opts: { viewport: ViewportSize; wait: { timeout: number }; path?: string; waitForUser?: boolean },
    ): Promise<{ page: Page; errors: string[] }> {
      const s = stack!;
      const page = await (await newContext({ viewport: opts.viewport })).newPage();
      const errors = collectPageErrors(page, s.baseUrl);
      await signInThroughPortal(page, s, username, { wait: opts.wait, ...(opts.path === undefined ? {} : { path: opts.path }) });
      if (opts.waitForUser) await page.getByTestId('user-email').waitFor({ state: 'visible', ...opts.wait });
      return { page, errors };
    },
  };
}
