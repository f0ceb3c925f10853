import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { browserSuite, shot } from './support/chromium.js';

/**
 * Issue 11 §5 in a real browser: an admin deletes an unused account, sees
 * role descriptions in the mappings table and sets a maximum session in
 * hours and minutes; an auditor filters by role name and reads reasons whose
 * bidi controls are made visible, long ones clamped behind "Show more".
 */

const WAIT = { timeout: 30_000 };

const MAPPINGS_YAML = `accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "444444444444", name: spare }
mappings:
  - group: engineers
    roleArn: arn:aws:iam::111111111111:role/Developer
    maxDurationSeconds: 14400
    description: Build and experiment in the sandbox account
`;

const { ready, signedInPage } = browserSuite({ mappingsYaml: MAPPINGS_YAML });
const newPage = (username: string, path: string) => signedInPage(username, { path, viewport: { width: 1280, height: 800 }, wait: WAIT, waitForUser: true });

describe('admin rough edges (issue 11 §5)', () => {
  it('bob deletes the unused account (recorded), cannot delete one in use, reads descriptions, sets 1 h 30 min', { timeout: 120_000 }, async () => {
    const s = ready();
    const { page, errors } = await newPage('bob', '/admin/mappings');
    await page.getByTestId('accounts').waitFor({ state: 'visible', ...WAIT });

    // The role's description is in the table.
    expect(await page.getByTestId('description-engineers-111111111111-Developer').textContent()).toBe('Build and experiment in the sandbox account');

    // Only the account without mappings offers Delete.
    expect(await page.getByTestId('delete-account-111111111111').count()).toBe(0);
    await page.getByTestId('delete-account-444444444444').click();
    await page.getByTestId('delete-account-dialog').waitFor({ state: 'visible', ...WAIT });
    await shot(page, 'admin-delete-account');
    await page.getByTestId('delete-account-dialog-confirm').click();
    await expect.poll(() => page.getByTestId('accounts-message').textContent(), WAIT).toContain('Deleted account 444444444444 (spare)');
    expect(await page.getByTestId('account-item-444444444444').count()).toBe(0);
    expect((await s.sql.query(`SELECT id FROM accounts ORDER BY id`)).rows).toEqual([{ id: '111111111111' }]);
    const log = (await s.sql.query(`SELECT action, entity, actor_email FROM admin_changes WHERE entity_id = '444444444444' AND action = 'delete'`)).rows;
    expect(log).toEqual([{ action: 'delete', entity: 'account', actor_email: 'bob@example.com' }]);

    // Maximum session in hours and minutes: 16 h is refused at the field, 1 h 30 min is stored as 5400 s.
    await page.getByTestId('edit-engineers-111111111111-Developer').click();
    await page.getByTestId('mapping-form').waitFor({ state: 'visible', ...WAIT });
    expect(await page.getByTestId('mapping-max-hours').inputValue()).toBe('4');
    expect(await page.getByTestId('mapping-max-minutes').inputValue()).toBe('0');
    await page.getByTestId('mapping-max-hours').fill('16');
    await page.getByTestId('mapping-save').click();
    await expect.poll(() => page.getByTestId('mapping-form').textContent(), WAIT).toContain('Must be between 15 min and 12 h.');
    await page.getByTestId('mapping-max-hours').fill('1');
    await page.getByTestId('mapping-max-minutes').fill('30');
    await expect.poll(() => page.getByTestId('mapping-form').textContent(), WAIT).toContain('= 1 h 30 min (5400 s)');
    await shot(page, 'admin-mapping-hours-minutes');
    await page.getByTestId('mapping-save').click();
    await expect.poll(() => page.getByTestId('mappings-message').textContent(), WAIT).toContain('Saved engineers → Developer');
    expect((await s.sql.query(`SELECT max_duration_seconds FROM role_mappings WHERE role_arn = 'arn:aws:iam::111111111111:role/Developer'`)).rows).toEqual([
      { max_duration_seconds: 5400 },
    ]);
    expect(errors).toEqual([]);
  });
});

describe('audit rough edges (issue 11 §5)', () => {
  it('carol filters by role name and sees bidi controls made visible, a long reason clamped with Show more', { timeout: 120_000 }, async () => {
    const s = ready();
    const dave = (
      await s.sql.query(
        `INSERT INTO users (id, idp, issuer, subject, email, display_name, groups) VALUES (gen_random_uuid(), 'oidc', 'https://idp.test', 'dave', 'dave@example.com', 'Dave', '{}') RETURNING id`,
      )
    ).rows[0].id as string;
    const seed = async (roleArn: string, reason: string, at: string) => {
      const id = randomUUID();
      await s.sql.query(
        `INSERT INTO grants (id, created_at, user_id, user_email, user_subject, idp, groups, account_id, role_arn, kind, status, reason)
         VALUES ($1, $2, $5, 'dave@example.com', 'dave', 'oidc', '{engineers}', substring($3 from 14 for 12), $3, 'console', 'issued', $4)`,
        [id, at, roleArn, reason, dave],
      );
      return id;
    };
    const spoof = await seed('arn:aws:iam::111111111111:role/Developer', 'fix \u202Enimda ot ssecca\u202C please', '2026-06-01T10:00:00Z');
    const longReason = `Incident 42: first line\n${'details of the incident and what needs doing. '.repeat(8)}`;
    const long = await seed('arn:aws:iam::222222222222:role/team/Developer', longReason, '2026-06-02T10:00:00Z');
    const other = await seed('arn:aws:iam::111111111111:role/SeniorDeveloper', 'not this one', '2026-06-03T10:00:00Z');

    const { page, errors } = await newPage('carol', '/audit/grants');
    await page.getByTestId('audit-table').waitFor({ state: 'visible', ...WAIT });
    await page.getByTestId('filter-role').fill('developer');
    await page.getByTestId('filter-apply').click();
    await page.waitForURL((url) => url.searchParams.get('role') === 'developer', WAIT);
    await page.getByTestId(`audit-grant-${long}`).waitFor({ state: 'visible', ...WAIT });
    await expect.poll(() => page.getByTestId(`audit-grant-${other}`).count(), WAIT).toBe(0);
    await page.getByTestId(`audit-grant-${spoof}`).waitFor({ state: 'visible', ...WAIT });

    const spoofText = await page.getByTestId(`reason-${spoof}-text`).textContent();
    expect(spoofText).toBe('fix ⟨U+202E⟩nimda ot ssecca⟨U+202C⟩ please');

    // Clamped: the first line only, then Show more reveals all of it.
    const longText = page.getByTestId(`reason-${long}-text`);
    expect(await longText.textContent()).toBe('Incident 42: first line…');
    await shot(page, 'audit-reasons-clamped');
    await page.getByTestId(`reason-${long}-toggle`).click();
    expect(await longText.textContent()).toBe(longReason);
    expect(await page.getByTestId(`reason-${long}-toggle`).getAttribute('aria-expanded')).toBe('true');
    await shot(page, 'audit-reasons-expanded');
    expect(errors).toEqual([]);
  });
});
