import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import type { TestBrowser } from './support/http-client.js';

// The emulator does not trust the broker for this role: AssumeRole answers AccessDenied.
const REFUSING = 'arn:aws:iam::222222222222:role/platform/Refusing';
const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "${REFUSING}", maxDurationSeconds: 3600 }
  - { group: platform-admins, roleArn: "${REFUSING}", maxDurationSeconds: 3600 }
`;

let stack: Stack;
let alice: TestBrowser; // engineers → employee
let bob: TestBrowser; // platform-admins → admin

beforeAll(async () => {
  stack = await startStack({ mappingsYaml: MAPPINGS, untrustedRoles: [REFUSING] });
  alice = await stack.signIn('alice');
  bob = await stack.signIn('bob');
});
afterAll(async () => {
  await stack?.close();
});

describe('when AWS refuses a role (issue 11 §4: the message says what to do)', () => {
  it('tells an employee to ask an admin, naming the role and the account; records the failure', async () => {
    const id = await stack.mappingId(REFUSING, 'engineers');
    const res = await alice.post('/api/grants', { entitlementId: id, kind: 'cli' });
    expect(res.status).toBe(502);
    const error = res.json().error;
    expect(error.code).toBe('AWS_STS_FAILED');
    expect(error.message).toContain('ask your Rolegate administrator');
    expect(error.message).toContain('role Refusing in account production (222222222222)');
    expect(error.message).not.toContain('sts:AssumeRole');
    expect(error.details).toEqual({ awsCode: 'AccessDenied', roleArn: REFUSING, accountId: '222222222222', audience: 'employee' });
    const rows = await stack.grantRows(`user_email = $1`, ['alice@example.com']);
    expect(rows.map((r) => [r.status, r.error])).toEqual([['failed', 'sts:AccessDenied']]);
  });

  it('gives an admin the trust-policy check for that role (and the mapping to open)', async () => {
    const id = await stack.mappingId(REFUSING, 'platform-admins');
    const res = await bob.post('/api/grants', { entitlementId: id, kind: 'console' });
    expect(res.status).toBe(502);
    const error = res.json().error;
    expect(error.message).toContain('trust policy allows Rolegate');
    expect(error.message).toContain('sts:AssumeRole, sts:SetSourceIdentity, sts:TagSession');
    expect(error.message).toContain('role Refusing in account production (222222222222)');
    expect(error.details).toMatchObject({ awsCode: 'AccessDenied', audience: 'admin', mappingId: id });
  });

  it('the console deep link shows the same advice on its error page', async () => {
    const res = await alice.get('/console/222222222222/Refusing');
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('ask your Rolegate administrator');
  });
});
