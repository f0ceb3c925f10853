import { formatDateTime } from '../format';
import { useCliTokens, useRevokeCliToken } from '../hooks/useCliTokens';
import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { Spinner } from '../components/Spinner';

/** "Command-line sessions": the caller's active `rolegate` CLI tokens, each with a Revoke button. */
export function CliTokensPanel() {
  const tokens = useCliTokens();
  const revoke = useRevokeCliToken();

  return (
    <div className="card history" data-testid="cli-tokens">
      <header className="history__header">
        <div>
          <h2 className="history__title">Command-line sessions</h2>
          <p className="history__lead">
            Signed-in <code>rolegate</code> CLIs. Revoke one you no longer use or do not recognise; it stops working at once.
          </p>
        </div>
      </header>

      {tokens.isPending && <SkeletonList rows={2} label="Loading your CLI sessions…" />}
      {tokens.isError && (
        <ErrorNotice title="Your CLI sessions could not be loaded" error={tokens.error} onRetry={() => void tokens.refetch()} retrying={tokens.isFetching} />
      )}
      {revoke.isError && <ErrorNotice title="The CLI session could not be revoked" error={revoke.error} />}
      {tokens.isSuccess && tokens.data.length === 0 && (
        <EmptyState title="No CLI sessions">
          <p>
            Run <code>rolegate login --url {window.location.origin}</code> in a terminal to use your roles from the command line.
          </p>
        </EmptyState>
      )}
      {tokens.isSuccess && tokens.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Your active CLI sessions</caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((t) => {
                const busy = revoke.isPending && revoke.variables === t.id;
                return (
                  <tr key={t.id}>
                    <td>{t.label || 'Unnamed device'}</td>
                    <td>{formatDateTime(t.createdAt)}</td>
                    <td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</td>
                    <td>{formatDateTime(t.expiresAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn--danger btn--sm"
                        onClick={() => revoke.mutate(t.id)}
                        disabled={busy}
                        aria-label={`Revoke the CLI session ${t.label || t.id}`}
                      >
                        {busy && <Spinner />}
                        Revoke
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
