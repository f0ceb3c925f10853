import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearer, cliTokenFor } from './cli-support.js';
import { browserSuite, shot, signInThroughPortal, WEB_DIST } from './support/chromium.js';
import { DEMO_MAPPINGS_FILE } from '../src/demo.js';
import { startStack } from './support/stack.js';

/**
 * The admin's People screen in real Chromium: bob finds alice and cuts her
 * off. Her browser session (another Chromium profile) ends and her CLI token
 * mints nothing more (no AssumeRole at the emulator). Needs a built web app
 * and Chromium.
 */

const WAIT = { timeout: 30_000 };
const VIEWPORT = { width: 1280, height: 800 };
const { ready, newPage, signedInPage } = browserSuite();

describe('People screen (real Chromium)', () => {
  it('bob cuts alice off: her browser session ends, her CLI token stops minting, the change history shows it', { timeout: 120_000 }, async () => {
    const s = ready();

    const { page: alicePage } = await signedInPage('alice', { path: '/', viewport: VIEWPORT, wait: WAIT, waitForUser: true });
    const { token } = await cliTokenFor(await s.signIn('alice'));
    const developer = await s.mappingId('arn:aws:iam::111111111111:role/Developer');

    const { page, errors } = await signedInPage('bob', { path: '/admin/people', viewport: VIEWPORT, wait: WAIT });
    await page.getByTestId('people-search').waitFor({ state: 'visible', ...WAIT });
    await page.getByTestId('people-search').fill('alice');
    await page.getByTestId('people-search-submit').click();
    await page.getByTestId('person-alice@example.com').waitFor({ state: 'visible', ...WAIT });
    await page.getByRole('button', { name: 'CLI tokens' }).click();
    await page.getByTestId('person-tokens-alice@example.com').waitFor({ state: 'visible', ...WAIT });
    await shot(page, 'people-search');

    await page.getByTestId('cut-off-alice@example.com').click();
    const dialog = page.getByTestId('cut-off-dialog');
    await dialog.waitFor({ state: 'visible', ...WAIT });
    expect(await dialog.textContent()).toContain('AWS denies every session they started before now');
    await page.getByTestId('cut-off-dialog-confirm').click();
    const message = page.getByTestId('people-message');
    await message.waitFor({ state: 'visible', ...WAIT });
    expect(await message.textContent()).toMatch(/Cut off alice@example\.com: \d+ browser sessions? ended, 1 CLI token revoked\./);
    await shot(page, 'people-cut-off');

    // Alice's browser: the next API call is refused, the portal sends her to sign in.
    const me = await alicePage.evaluate(async () => (await fetch('/api/me')).status);
    expect(me).toBe(401);
    const assumed = s.aws.countCalls('AssumeRole');
    expect((await bearer(s.baseUrl, token, 'POST', '/api/grants', { json: { entitlementId: developer, kind: 'cli' } })).status).toBe(401);
    expect(s.aws.countCalls('AssumeRole')).toBe(assumed);
    const [change] = (await s.sql.query(`SELECT action, entity, actor_email FROM admin_changes WHERE entity = 'user'`)).rows;
    expect(change).toEqual({ action: 'cut-off', entity: 'user', actor_email: 'bob@example.com' });

    await page.getByTestId('tab-changes').click();
    await page.getByTestId('changes-table').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByTestId('changes-table').textContent()).toContain('Person alice@example.com');
    expect(errors).toEqual([]);
  });
});

describe('Mappings screen when MAPPINGS_FILE manages the mappings (real Chromium)', () => {
  it('says "Managed by <file>" and offers no edit, disable, delete, import or rename; export stays', { timeout: 120_000 }, async () => {
    ready(); // Chromium and the web build are there; this test serves the build from a stack of its own.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-mf-'));
    const file = path.join(dir, 'mappings.yaml');
    const yaml = await readFile(DEMO_MAPPINGS_FILE, 'utf8');
    await writeFile(file, yaml);
    const managed = await startStack({ webDist: WEB_DIST, mappingsYaml: yaml, env: { MAPPINGS_FILE: file } });
    try {
      const page = await newPage(VIEWPORT);
      await signInThroughPortal(page, managed, 'bob', { path: '/admin/mappings', wait: WAIT });
      const banner = page.getByTestId('mappings-managed-by');
      await banner.waitFor({ state: 'visible', ...WAIT });
      expect(await banner.textContent()).toContain(`Managed by ${file}`);
      await page.getByTestId('mappings-export').waitFor({ state: 'visible', ...WAIT });
      await shot(page, 'mappings-managed-by-file');
      for (const id of ['mapping-new', 'mappings-import']) expect(await page.getByTestId(id).count(), id).toBe(0);
      for (const name of [/^Edit /, /^Disable /, /^Delete /, /^Edit account /]) expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
      expect(await page.getByRole('button', { name: /^Trust policy for / }).count()).toBeGreaterThan(0);
    } finally {
      await managed.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
