import { describe, expect, it } from 'vitest';
import { browserSuite, shot } from './support/chromium.js';
import { seriousViolations } from './support/axe.js';
import { BROKER_ARN, type Stack } from './support/stack.js';

/*
 * In a real browser: an admin presses Check on a mapping whose role does not
 * allow sts:TagSession and sees the finding and the fix; and sets an
 * account's control role in the accounts form.
 */

const WAIT = { timeout: 30_000 };
const ACCT = '111111111111';
const OTHER = '222222222222';
const CONTROL = `arn:aws:iam::${ACCT}:role/RolegateControl`;
const REVOKE = `arn:aws:iam::${ACCT}:policy/RolegateRevocations`;
const NO_TAG = `arn:aws:iam::${ACCT}:role/NoTag`;
const NO_TAG_KEY = `engineers-${ACCT}-NoTag`;
const ELSEWHERE_KEY = `engineers-${OTHER}-Elsewhere`;

const VIEWPORT = { width: 1400, height: 900 };
const { ready, signedInPage } = browserSuite({
  mappingsYaml: `
accounts:
  - { id: "${ACCT}", name: sandbox, controlRoleArn: "${CONTROL}" }
  - { id: "${OTHER}", name: production }
mappings:
  - { group: engineers, roleArn: "${NO_TAG}", maxDurationSeconds: 3600 }
  - { group: engineers, roleArn: "arn:aws:iam::${OTHER}:role/Elsewhere", maxDurationSeconds: 3600 }
`,
});

function seedIam(s: Stack) {
  s.aws.addManagedPolicy({
    arn: REVOKE,
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:ViaAWSService': 'true' } } }] },
  });
  s.aws.addRole({
    arn: CONTROL,
    trustedPrincipals: [BROKER_ARN],
    inlinePolicies: {
      Control: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListAttachedRolePolicies'], Resource: `arn:aws:iam::${ACCT}:role/*` }],
      },
    },
  });
  s.aws.addRole({
    arn: NO_TAG,
    maxSessionDuration: 43200,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: BROKER_ARN }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }],
    },
    attachedPolicyArns: [REVOKE],
  });
}

const stored = async (s: Stack, key: string) =>
  (
    await s.sql.query<{ status: string; findings: { code: string }[] }>(
      `SELECT c.status, c.findings FROM mapping_checks c JOIN role_mappings m ON m.id = c.mapping_id WHERE m.role_arn LIKE $1`,
      [`%:role/${key}`],
    )
  ).rows[0] ?? null;

describe('browser: role checks on the mappings screen', () => {
  it('an admin presses Check and sees the missing sts:TagSession finding with the fix to paste', { timeout: 180_000 }, async () => {
    const s = ready();
    seedIam(s);
    const { page, errors } = await signedInPage('bob', { path: '/admin/mappings', viewport: VIEWPORT, wait: WAIT });
    const status = page.getByTestId(`check-status-${NO_TAG_KEY}`);
    await status.waitFor({ state: 'visible', ...WAIT });
    expect(await status.textContent()).toBe('Not checked');
    expect(await stored(s, 'NoTag')).toBeNull();

    s.aws.clearLog();
    await page.getByRole('button', { name: 'Check engineers → NoTag' }).click();
    await expect.poll(() => status.textContent(), WAIT).toBe('Problems');
    const cell = page.getByTestId(`check-${NO_TAG_KEY}`);
    expect(await cell.textContent()).toContain('TRUST_MISSING_TAG_SESSION');
    expect(await cell.textContent()).toContain('does not allow sts:TagSession');
    await cell.getByText('Fix to paste').click();
    const fix = page.getByTestId(`check-fix-${NO_TAG_KEY}-text`);
    await fix.waitFor({ state: 'visible', ...WAIT });
    expect(await fix.textContent()).toContain('"sts:TagSession"');
    expect(await fix.textContent()).toContain(BROKER_ARN);
    await shot(page, 'admin-mapping-check-problems');
    expect(await seriousViolations(page)).toEqual([]);
    // The check went to IAM through the control role, and its result is stored.
    expect(s.aws.countCalls('GetRole')).toBe(1);
    expect(await stored(s, 'NoTag')).toMatchObject({ status: 'problems', findings: [{ code: 'TRUST_MISSING_TAG_SESSION' }] });

    // An account without a control role cannot be checked, and says why.
    await page.getByRole('button', { name: 'Check engineers → Elsewhere' }).click();
    await expect.poll(() => page.getByTestId(`check-status-${ELSEWHERE_KEY}`).textContent(), WAIT).toBe('Cannot check');
    expect(await page.getByTestId(`check-${ELSEWHERE_KEY}`).textContent()).toContain(`Account ${OTHER} has no control role`);
    expect(errors).toEqual([]);
  });

  it('an admin sets an account’s control role in the accounts form; a role of another account is refused at the field', { timeout: 180_000 }, async () => {
    const s = ready();
    const { page } = await signedInPage('bob', { path: '/admin/mappings', viewport: VIEWPORT, wait: WAIT });
    await page.getByRole('button', { name: `Edit account ${OTHER} (production)` }).click();
    const form = page.getByTestId(`account-form-${OTHER}`);
    await form.waitFor({ state: 'visible', ...WAIT });
    const field = page.getByLabel(`Control role ARN for account ${OTHER}`);
    await field.fill(`arn:aws:iam::${ACCT}:role/RolegateControl`);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.textContent(), WAIT).toContain(`The control role must be a role in account ${OTHER}.`);
    const column = async () => (await s.sql.query(`SELECT control_role_arn FROM accounts WHERE id = $1`, [OTHER])).rows[0].control_role_arn;
    expect(await column()).toBeNull();

    const arn = `arn:aws:iam::${OTHER}:role/RolegateControl`;
    await field.fill(arn);
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId(`account-control-${OTHER}`).textContent(), WAIT).toBe(`control role ${arn}`);
    expect(await column()).toBe(arn);
    await shot(page, 'admin-account-control-role');
  });
});
