import { useEntitlements } from '../hooks/useEntitlements';
import { groupByAccount } from '../entitlements';
import { AccountSection } from './AccountSection';
import { EmptyState } from './EmptyState';
import { ErrorNotice } from './ErrorNotice';
import { SkeletonList } from './SkeletonList';

/** The roles the user may assume, grouped by AWS account. */
export function EntitlementsPanel({ groups }: { groups: string[] }) {
  const entitlements = useEntitlements();

  if (entitlements.isPending) return <SkeletonList rows={4} label="Loading your AWS roles…" />;
  if (entitlements.isError) {
    return (
      <ErrorNotice
        title="Your AWS roles could not be loaded"
        error={entitlements.error}
        onRetry={() => void entitlements.refetch()}
        retrying={entitlements.isFetching}
      />
    );
  }
  if (entitlements.data.length === 0) {
    return (
      <EmptyState title="No AWS roles are available to you yet">
        <p>
          Rolegate grants roles to identity-provider groups, and none of your groups
          {groups.length > 0 ? ` (${groups.map((g) => `“${g}”`).join(', ')})` : ''} is mapped to a role.
        </p>
        <p>Ask your Rolegate administrator to map one of your groups to the role you need.</p>
      </EmptyState>
    );
  }
  return (
    <div className="accounts" data-testid="entitlements">
      {groupByAccount(entitlements.data).map((account) => (
        <AccountSection key={account.accountId} account={account} />
      ))}
    </div>
  );
}
