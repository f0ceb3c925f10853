import { useEntitlements } from '../hooks/useEntitlements';
import { useGrantHistory } from '../hooks/useGrantHistory';
import { EmptyState } from './EmptyState';
import { ErrorNotice } from './ErrorNotice';
import { GrantTable } from './GrantTable';
import { SkeletonList } from './SkeletonList';
import { Spinner } from './Spinner';

/** "My grants": the caller's recent grants with paging. */
export function GrantHistoryPanel() {
  const history = useGrantHistory();
  const entitlements = useEntitlements();
  const accountNames = new Map((entitlements.data ?? []).map((e) => [e.accountId, e.accountName]));

  return (
    <div className="card history">
      <header className="history__header">
        <div>
          <h2 className="history__title">My grants</h2>
          <p className="history__lead">Your recent access requests, including denied and failed ones.</p>
        </div>
        <button
          type="button"
          className="btn btn--secondary btn--sm"
          onClick={() => void history.refetch()}
          disabled={history.isFetching}
          data-testid="grants-refresh"
        >
          {history.isFetching && !history.isPending && <Spinner />}
          Refresh
        </button>
      </header>

      {history.isPending && <SkeletonList rows={4} label="Loading your grants…" />}
      {history.isError && (
        <ErrorNotice title="Your grants could not be loaded" error={history.error} onRetry={() => void history.refetch()} retrying={history.isFetching} />
      )}
      {history.isSuccess && history.data.length === 0 && (
        <EmptyState title="No grants yet">
          <p>When you open the console or request CLI credentials, the request appears here.</p>
        </EmptyState>
      )}
      {history.isSuccess && history.data.length > 0 && (
        <>
          <GrantTable grants={history.data} accountNames={accountNames} />
          {history.hasNextPage && (
            <div className="history__more">
              <button type="button" className="btn btn--secondary" onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>
                {history.isFetchingNextPage && <Spinner />}
                {history.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}
