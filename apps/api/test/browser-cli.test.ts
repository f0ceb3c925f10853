import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchChromium, missingBrowserPrerequisite, SCREENSHOTS, shot, signInThroughPortal, WEB_DIST } from './support/chromium.js';
import { SANDBOX_DEVELOPER, type Stack, startStack } from './support/stack.js';
import { runCli, startCli } from './cli-support.js';

/**
 * Every server-rendered form of the CLI sign-in and the deep link, submitted
 * by real Chromium. Chromium posts these no-referrer forms with `Origin: null`
 * and `Sec-Fetch-Site: same-origin`; an HTTP client never does, which is how
 * `rolegate login` once ended on a raw CSRF_INVALID page in every browser.
 */

const WAIT = { timeout: 15_000 };

let stack: Stack | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let home = '';
let env: Record<string, string> = {};
let otherSite: http.Server | undefined;
let otherOrigin = '';

function ready(): Stack {
  const missing = missingBrowserPrerequisite();
  if (missing) throw new Error(missing);
  return stack!;
}

beforeAll(async () => {
  if (missingBrowserPrerequisite()) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  stack = await startStack({ webDist: WEB_DIST, mappingsYaml: SANDBOX_DEVELOPER });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  page = await context.newPage();
  await signInThroughPortal(page, stack, 'alice', { wait: WAIT });
  home = await mkdtemp(path.join(os.tmpdir(), 'rolegate-browser-cli-'));
  env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), AWS_CONFIG_FILE: path.join(home, 'aws', 'config'), BROWSER: 'none' };
  // Another site, on another origin, that links to (and auto-navigates to) the deep link.
  const base = stack.baseUrl;
  otherSite = http.createServer((req, res) => {
    const target = `${base}/console/111111111111/Developer?duration=3600`;
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><title>Cat pictures</title><a id="bait" href="${target}">cute cats</a>`);
  });
  await new Promise<void>((resolve) => otherSite!.listen(0, '127.0.0.1', resolve));
  // Another origin (port) but the same site for SameSite purposes — the Lax session cookie still travels, as from any link.
  otherOrigin = `http://localhost:${(otherSite.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  otherSite?.close();
  await stack?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('browser: CLI sign-in forms in real Chromium', () => {
  it('rolegate login (loopback): the real CLI, Allow in Chromium, then rolegate credentials works', { timeout: 60_000 }, async () => {
    const s = ready();
    const errors = collectPageErrors(page, s.baseUrl);
    const cli = startCli(['login', '--url', s.baseUrl, '--label', 'chromium-laptop'], env);
    const [loginUrl] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/cli\/login\?\S+/);
    await page.goto(loginUrl!, WAIT);
    await page.locator('#cli-allow').waitFor({ state: 'visible', ...WAIT });
    expect(await page.textContent('main')).toContain('Only approve a code that your own terminal shows you, right now');
    expect(await page.textContent('main')).toContain('chromium-laptop');
    await shot(page, 'cli-loopback-allow');
    await page.click('#cli-allow');
    await page.waitForURL((u) => u.pathname === '/callback', WAIT);
    expect(await page.textContent('body')).toContain('signed in');
    const done = await cli.exited;
    expect(done.code, done.stderr).toBe(0);
    const creds = await runCli(['credentials', '--account', 'sandbox', '--role', 'Developer'], env);
    expect(creds.code, creds.stderr).toBe(0);
    expect(JSON.parse(creds.stdout)).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });
    expect(errors).toEqual([]);
  });

  it('rolegate login --no-browser: the code typed in Chromium, details shown, Approve; the CLI gets its token', { timeout: 60_000 }, async () => {
    const s = ready();
    const cli = startCli(['login', '--url', s.baseUrl, '--no-browser', '--label', 'headless-box'], env);
    const [, uri, code] = await cli.waitFor(/open (\S+) in a browser and enter the code:\s+([A-Z]{4}-[A-Z]{4})/);
    // A link carrying the code (as a phisher would send) leaves the field empty.
    await page.goto(`${uri}?user_code=${code}`, WAIT);
    await page.locator('#user_code').waitFor({ state: 'visible', ...WAIT });
    expect(await page.inputValue('#user_code')).toBe('');
    await page.fill('#user_code', code!);
    await page.click('#cli-lookup');
    await page.locator('#cli-approve').waitFor({ state: 'visible', ...WAIT });
    const details = await page.textContent('main');
    expect(details).toContain('headless-box');
    expect(details).toContain('rolegate-cli/');
    expect(details).toContain('Code expires');
    await shot(page, 'cli-device-confirm');
    await page.click('#cli-approve');
    await page.getByText('You can return to your terminal').waitFor(WAIT);
    const done = await cli.exited;
    expect(done.code, done.stderr).toBe(0);
  });

  it('rolegate login --no-browser: Deny in Chromium stops the CLI with a clear message', { timeout: 60_000 }, async () => {
    const s = ready();
    const cli = startCli(['login', '--url', s.baseUrl, '--no-browser'], env);
    const [, , code] = await cli.waitFor(/open (\S+) in a browser and enter the code:\s+([A-Z]{4}-[A-Z]{4})/);
    await page.goto(`${s.baseUrl}/cli/device`, WAIT);
    await page.fill('#user_code', code!);
    await page.click('#cli-lookup');
    await page.click('#cli-deny');
    await page.getByText('The sign-in was refused').waitFor(WAIT);
    const done = await cli.exited;
    expect(done.code).not.toBe(0);
    expect(done.stderr).toContain('denied');
  });
});

describe('browser: the console deep link is not a cross-site grant button', () => {
  it('a link clicked on another site shows the interstitial and grants nothing until Open is pressed', { timeout: 60_000 }, async () => {
    const s = ready();
    const before = s.aws.countCalls('AssumeRole');
    await page.goto(`${otherOrigin}/`, WAIT);
    await page.click('#bait');
    await page.locator('#console-open').waitFor({ state: 'visible', ...WAIT });
    expect(await page.textContent('main')).toMatch(/Developer.*111111111111.*1 h/s);
    await shot(page, 'deep-link-interstitial');
    expect(s.aws.countCalls('AssumeRole')).toBe(before);
    await page.click('#console-open');
    await page.waitForURL((u) => u.origin !== s.baseUrl && u.origin !== otherOrigin, WAIT);
    expect(s.aws.countCalls('AssumeRole')).toBe(before + 1);
    const rows = await s.grantRows(`kind = 'console'`);
    expect(rows.at(-1)).toMatchObject({ status: 'issued', duration_seconds: 3600 });
  });

  it('a typed or bookmarked deep link goes straight to the console', { timeout: 60_000 }, async () => {
    const s = ready();
    const before = s.aws.countCalls('AssumeRole');
    await page.goto(`${s.baseUrl}/console/111111111111/Developer`, WAIT);
    await page.waitForURL((u) => u.origin !== s.baseUrl, WAIT);
    expect(s.aws.countCalls('AssumeRole')).toBe(before + 1);
  });
});
