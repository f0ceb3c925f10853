import { describe, expect, it } from 'vitest';
import { awsRefusalMessage } from './aws-refusal.js';

const target = { roleArn: 'arn:aws:iam::222222222222:role/platform/Administrator', accountId: '222222222222', accountName: 'production' };

describe('awsRefusalMessage', () => {
  it('tells an employee to ask an admin, naming the role and the account', () => {
    const m = awsRefusalMessage('AccessDenied', target, 'employee')!;
    expect(m).toContain('ask your Rolegate administrator');
    expect(m).toContain('role Administrator in account production (222222222222)');
    expect(m).not.toContain('sts:AssumeRole');
  });

  it('gives an admin the trust-policy check for that role', () => {
    const m = awsRefusalMessage('AccessDenied', target, 'admin')!;
    expect(m).toContain('role Administrator in account production (222222222222)');
    expect(m).toContain('trust policy allows Rolegate');
    expect(m).toContain('sts:AssumeRole');
  });

  it("names the findings of the role's latest check: messages for an admin, codes only for an employee", () => {
    const findings = [
      { code: 'TRUST_MISSING_TAG_SESSION', message: 'The trust policy of Administrator does not allow sts:TagSession to the broker (arn:aws:iam::1:user/b).' },
    ];
    const admin = awsRefusalMessage('AccessDenied', target, 'admin', findings)!;
    expect(admin).toContain('TRUST_MISSING_TAG_SESSION: The trust policy of Administrator does not allow sts:TagSession');
    const employee = awsRefusalMessage('AccessDenied', target, 'employee', findings)!;
    expect(employee).toContain('flagged this role (TRUST_MISSING_TAG_SESSION)');
    expect(employee).not.toContain('arn:aws:iam::1:user/b');
    expect(awsRefusalMessage('Throttling', target, 'admin', findings)).toBeNull();
  });

  it('leaves other AWS errors alone', () => {
    expect(awsRefusalMessage('Throttling', target, 'admin')).toBeNull();
    expect(awsRefusalMessage('RegionDisabledException', target, 'employee')).toBeNull();
  });
});
