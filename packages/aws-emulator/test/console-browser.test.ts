// The emulated console page in real Chromium: each page load is authorised against the session's
// role policies, so a reload after a revocation shows "Access denied" instead of the console.
import path from 'node:path';
import { CreatePolicyVersionCommand } from '@aws-sdk/client-iam';
import { chromium } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BROKER, assume, iamClient, sessionJson, startTestEmulator } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../../test-results/screenshots');
const ACCOUNT = '222222222222';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Developer`;
const REVOCATIONS = `arn:aws:iam::${ACCOUNT}:policy/RolegateRevocations`;
const denyGrants = (ids: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': ids } } }],
});

describe('emulated console in Chromium', () => {
  it('shows the console with the account’s buckets, then Access denied on reload once the grant is revoked', async () => {
    const em = await startTestEmulator({
      callers: [BROKER],
      managedPolicies: [{ arn: REVOCATIONS, document: denyGrants(['none']) }],
      buckets: [{ account: ACCOUNT, name: 'team-data' }],
      roles: [
        {
          arn: ROLE,
          trustedPrincipals: [BROKER.arn],
          inlinePolicies: { Work: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
          attachedPolicyArns: [REVOCATIONS],
        },
      ],
    });
    const alice = await assume(em, {
      RoleArn: ROLE,
      RoleSessionName: 'alice',
      SourceIdentity: 'alice',
      Tags: [{ Key: 'rolegate:grant-id', Value: 'g-alice' }],
    });
    const tokenRes = await fetch(`${em.federationUrl}?${new URLSearchParams({ Action: 'getSigninToken', Session: sessionJson(alice) })}`);
    const { SigninToken } = (await tokenRes.json()) as { SigninToken: string };

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    const login = `${em.federationUrl}?${new URLSearchParams({ Action: 'login', Destination: 'https://console.aws.amazon.com/', SigninToken })}`;
    const first = await page.goto(login);
    expect(first?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await page.locator('#role-name').textContent()).toBe('Developer');
    expect(await page.locator('#source-identity').textContent()).toBe('alice');
    expect(await page.locator('#buckets li').allTextContents()).toEqual(['team-data']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'emulator-console.png'), fullPage: true });

    await iamClient(em, await assume(em, { RoleArn: ROLE, RoleSessionName: 'admin' })).send(
      new CreatePolicyVersionCommand({ PolicyArn: REVOCATIONS, PolicyDocument: JSON.stringify(denyGrants(['g-alice'])), SetAsDefault: true }),
    );
    const again = await page.reload();
    expect(again?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Access denied');
    expect(await page.locator('#access-denied').textContent()).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/Developer/alice is not authorized to perform: s3:ListAllMyBuckets on resource: * with an explicit deny in an identity-based policy: ${REVOCATIONS}`,
    );
    expect(await page.locator('#buckets').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'emulator-console-denied.png'), fullPage: true });
    expect(em.requests.filter((r) => r.service === 'console').map((r) => [r.status, r.errorCode])).toEqual([
      [200, undefined],
      [403, 'AccessDenied'],
    ]);
  }, 60_000); // Chromium's start-up on a busy machine
});
