import { parseRoleArn } from '@rolegate/aws-names';

/** Who reads a refusal: admins can fix a trust policy, employees can only ask. */
export type RefusalAudience = 'admin' | 'employee';

/**
 * What a person is told when AWS STS refuses to let the broker assume a role
 * (`AccessDenied`: almost always the role's trust policy does not trust the
 * broker, or the role does not exist). Employees are told whom to ask and
 * what to name; admins get the check to make. Other AWS errors keep the
 * plain message (null here). The audience only changes the wording: it
 * reveals nothing an employee could not already see (their own role and
 * account).
 */
export function awsRefusalMessage(
  awsCode: string,
  target: { roleArn: string; accountId: string; accountName: string },
  audience: RefusalAudience,
  /** Error-level findings of the role's latest set-up check: the likely reason, named. */
  findings: readonly { code: string; message: string }[] = [],
): string | null {
  if (awsCode !== 'AccessDenied') return null;
  const roleName = parseRoleArn(target.roleArn)?.roleName ?? target.roleArn;
  const where = `role ${roleName} in account ${target.accountName} (${target.accountId})`;
  if (findings.length > 0) {
    const codes = findings.map((f) => f.code).join(', ');
    // Employees get the codes only: the messages name principals and accounts of the trust policy.
    return audience === 'admin'
      ? `AWS refused ${where} (AccessDenied). Rolegate's last check of this role found: ${findings.map((f) => `${f.code}: ${f.message}`).join(' ')} The fix to paste is on the admin screen (Mappings → this role's check).`
      : `AWS refused ${where} (AccessDenied). Rolegate's set-up check has flagged this role (${codes}): this is a setup problem on the AWS side, not something you did; ask your Rolegate administrator to fix it.`;
  }
  if (audience === 'admin') {
    return `AWS refused ${where} (AccessDenied). Check that the role exists and that its trust policy allows Rolegate: on the admin screen, Mappings → Trust policy for this role shows the policy it needs (sts:AssumeRole, sts:SetSourceIdentity, sts:TagSession for the broker).`;
  }
  return `AWS refused ${where} (AccessDenied). This is a setup problem on the AWS side, not something you did: ask your Rolegate administrator to check the trust policy of ${where}.`;
}
