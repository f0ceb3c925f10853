import type { AccountGroup } from './entitlements';
import { RoleRow, type RoleRowOptions } from './RoleRow';

/** One AWS account: name and id header, then its roles. */
export function AccountSection({ account, options }: { account: AccountGroup; options: RoleRowOptions }) {
  const headingId = `account-${account.accountId}`;
  return (
    <section className="card account" aria-labelledby={headingId} data-testid={`account-${account.accountId}`}>
      <header className="account__header">
        <h2 id={headingId} className="account__name">
          {account.accountName}
        </h2>
        <span className="account__id" aria-label={`Account ID ${account.accountId}`}>
          {account.accountId}
        </span>
        <span className="account__count">
          {account.roles.length} {account.roles.length === 1 ? 'role' : 'roles'}
        </span>
      </header>
      <ul className="role-list">
        {account.roles.map((role) => (
          <RoleRow key={role.id} entitlement={role} options={options} />
        ))}
      </ul>
    </section>
  );
}
