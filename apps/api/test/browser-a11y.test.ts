import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/chromium.js';
import { seriousViolations, type AxeFinding } from './support/axe.js';
import { SANDBOX_DEVELOPER } from './support/stack.js';
import { loopbackStart } from './cli-support.js';

/**
 * axe-core in real Chromium over every screen: the portal's, the admin's and
 * the auditor's, the server-rendered CLI and deep-link pages and an error
 * page. No serious or critical violation is allowed.
 */

const WAIT = { timeout: 15_000 };

const { ready, signedInPage } = browserSuite({ mappingsYaml: SANDBOX_DEVELOPER });

const pageOf = async (user: string) => (await signedInPage(user, { viewport: { width: 1100, height: 800 }, wait: WAIT })).page;

describe('accessibility (axe-core in Chromium): no serious or critical violations', () => {
  it('the employee screens and the server-rendered CLI, deep-link and error pages', { timeout: 120_000 }, async () => {
    const s = ready();
    const page = await pageOf('alice');
    const found: Record<string, AxeFinding[]> = {};
    for (const path of ['/', '/grants', '/tokens', '/no-such-page']) {
      await page.goto(`${s.baseUrl}${path}`, WAIT);
      await page.locator('main').first().waitFor(WAIT);
      await page.waitForLoadState('networkidle');
      found[path] = await seriousViolations(page);
    }
    const loopback = `/cli/login?${loopbackStart().query}`;
    for (const path of ['/cli/device', loopback, '/console/999999999999/Nothing']) {
      await page.goto(`${s.baseUrl}${path}`, WAIT);
      found[path] = await seriousViolations(page);
    }
    // The deep-link interstitial, reached from another site.
    await page.setExtraHTTPHeaders({ referer: 'https://elsewhere.example/' });
    await page.goto(`${s.baseUrl}/console/111111111111/Developer`, { ...WAIT, referer: 'https://elsewhere.example/' });
    found.interstitial = await seriousViolations(page);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
    // The scan can fail: an unlabeled button on the same page is found.
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<button type="button"></button>'));
    expect((await seriousViolations(page)).map((v) => v.id)).toContain('button-name');
  });

  it('the admin and audit screens', { timeout: 120_000 }, async () => {
    const s = ready();
    const found: Record<string, AxeFinding[]> = {};
    const bob = await pageOf('bob');
    for (const path of ['/admin/mappings', '/admin/changes', '/admin/people']) {
      await bob.goto(`${s.baseUrl}${path}`, WAIT);
      await bob.waitForLoadState('networkidle');
      found[path] = await seriousViolations(bob);
    }
    const carol = await pageOf('carol');
    await carol.goto(`${s.baseUrl}/audit/grants`, WAIT);
    await carol.waitForLoadState('networkidle');
    found['/audit/grants'] = await seriousViolations(carol);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  });
});
