import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, signInThroughPortal } from './support/chromium.js';
import { SANDBOX_DEVELOPER, type Stack } from './support/stack.js';
import { loopbackStart } from './cli-support.js';

/**
 * axe-core in real Chromium over every screen: the portal's, the admin's and
 * the auditor's, the server-rendered CLI and deep-link pages and an error
 * page. No serious or critical violation is allowed.
 */

const WAIT = { timeout: 15_000 };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const { ready, newContext } = browserSuite({ mappingsYaml: SANDBOX_DEVELOPER });

interface Finding {
  id: string;
  impact: string | null;
  targets: string[];
}

/** Serious and critical axe violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<Finding[]> {
  await page.evaluate(AXE);
  const all = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function signedInPage(s: Stack, user: string): Promise<Page> {
  const context = await newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  await signInThroughPortal(page, s, user, { wait: WAIT });
  return page;
}

describe('accessibility (axe-core in Chromium): no serious or critical violations', () => {
  it('the employee screens and the server-rendered CLI, deep-link and error pages', { timeout: 120_000 }, async () => {
    const s = ready();
    const page = await signedInPage(s, 'alice');
    const found: Record<string, Finding[]> = {};
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
    const found: Record<string, Finding[]> = {};
    const bob = await signedInPage(s, 'bob');
    for (const path of ['/admin/mappings', '/admin/changes', '/admin/people']) {
      await bob.goto(`${s.baseUrl}${path}`, WAIT);
      await bob.waitForLoadState('networkidle');
      found[path] = await seriousViolations(bob);
    }
    const carol = await signedInPage(s, 'carol');
    await carol.goto(`${s.baseUrl}/audit/grants`, WAIT);
    await carol.waitForLoadState('networkidle');
    found['/audit/grants'] = await seriousViolations(carol);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  });
});
