import { useId, useState, type FormEvent } from 'react';
import type { AdminUser } from '@rolegate/contract';
import { errorMessage } from '../api';
import { useAdminUserCliTokens, useAdminUsers, useCutOff, useRevokeCliTokenAsAdmin } from '../hooks/useAdmin';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { formatDateTime } from '../format';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The CLI tokens of one person, each with a Revoke button. */
function PersonTokens({ user }: { user: AdminUser }) {
  const tokens = useAdminUserCliTokens(user.id);
  const revoke = useRevokeCliTokenAsAdmin();
  if (tokens.isPending) return <SkeletonList rows={1} label="Loading CLI tokens…" />;
  if (tokens.isError)
    return <ErrorNotice title="CLI tokens could not be loaded" error={tokens.error} onRetry={() => void tokens.refetch()} retrying={tokens.isFetching} />;
  if (tokens.data.length === 0) return <p className="muted">No working CLI tokens.</p>;
  return (
    <>
      {revoke.isError && (
        <p className="form-error" role="alert">
          {errorMessage(revoke.error)}
        </p>
      )}
      <ul className="account-list" data-testid={`person-tokens-${user.email}`}>
        {tokens.data.map((t) => (
          <li key={t.id} className="account-item">
            <span className="account-item__name">{t.label || 'CLI token'}</span>
            <span className="muted account-item__count">
              created {formatDateTime(t.createdAt)}, expires {formatDateTime(t.expiresAt)}
              {t.lastUsedAt ? `, last used ${formatDateTime(t.lastUsedAt)}` : ', never used'}
            </span>
            <button
              type="button"
              className="btn btn--danger-ghost btn--sm"
              disabled={revoke.isPending}
              onClick={() => revoke.mutate(t.id)}
              aria-label={`Revoke CLI token ${t.label || t.id} of ${user.email}`}
              data-testid={`revoke-token-${t.id}`}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

/**
 * Admin: find a person and cut them off — every browser session ends, every
 * CLI token is revoked and their live AWS sessions are revoked at AWS
 * (recorded in the change history; the Revocations screen shows the AWS
 * side) — or revoke a single CLI token.
 */
export function PeoplePanel() {
  const searchId = useId();
  const [box, setBox] = useState('');
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [cutting, setCutting] = useState<AdminUser | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const users = useAdminUsers(q);
  const cutOff = useCutOff();

  function onSearch(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    setQ(box.trim());
  }

  return (
    <section className="card section" aria-labelledby="people-title">
      <header className="section__header">
        <div>
          <h2 id="people-title" className="section-title">
            People
          </h2>
          <p className="section-lead">
            Cutting someone off ends all their browser sessions, revokes all their CLI tokens and denies at AWS every session they started before now, on every
            role they used in the last 12 hours. Remove them from their IdP groups as well, or they can sign in again.
          </p>
        </div>
      </header>

      <form className="filter-row" role="search" onSubmit={onSearch}>
        <label htmlFor={searchId} className="field__label">
          Find a person
        </label>
        <input
          id={searchId}
          className="input input--search"
          type="search"
          value={box}
          onChange={(e) => setBox(e.target.value)}
          placeholder="email or name"
          data-testid="people-search"
        />
        <button type="submit" className="btn btn--secondary btn--sm" data-testid="people-search-submit">
          Search
        </button>
      </form>

      <div aria-live="polite" className="live">
        {message && (
          <p className="notice notice--success" role="status" data-testid="people-message">
            {message}
          </p>
        )}
      </div>

      {q !== '' && users.isPending && <SkeletonList rows={2} label="Searching…" />}
      {users.isError && <ErrorNotice title="The search failed" error={users.error} onRetry={() => void users.refetch()} retrying={users.isFetching} />}
      {users.isSuccess && users.data.length === 0 && (
        <EmptyState title="Nobody found">
          <p>Only people who have signed in at least once can be found.</p>
        </EmptyState>
      )}
      {users.isSuccess && users.data.length > 0 && (
        <ul className="account-list" data-testid="people-results">
          {users.data.map((u) => (
            <li key={u.id} className="account-item" data-testid={`person-${u.email}`}>
              <span className="account-item__name">
                {u.displayName} <span className="mono">{u.email}</span>
              </span>
              <span className="muted account-item__count">
                groups {u.groups.join(', ') || '—'}; last seen {formatDateTime(u.lastSeenAt)}
              </span>
              <button
                type="button"
                className="btn btn--secondary btn--sm"
                aria-expanded={open === u.id}
                aria-label={`CLI tokens of ${u.email}`}
                onClick={() => setOpen(open === u.id ? null : u.id)}
              >
                CLI tokens
              </button>
              <button
                type="button"
                className="btn btn--danger-ghost btn--sm"
                onClick={() => {
                  cutOff.reset();
                  setCutting(u);
                }}
                aria-label={`Cut off ${u.email}`}
                data-testid={`cut-off-${u.email}`}
              >
                Cut off
              </button>
              {open === u.id && <PersonTokens user={u} />}
            </li>
          ))}
        </ul>
      )}

      {cutting && (
        <ConfirmDialog
          title={`Cut off ${cutting.email}?`}
          confirmLabel={cutOff.isPending ? 'Cutting off…' : 'Cut off'}
          busy={cutOff.isPending}
          error={cutOff.isError ? errorMessage(cutOff.error) : undefined}
          testId="cut-off-dialog"
          onClose={() => setCutting(null)}
          onConfirm={() =>
            cutOff.mutate(cutting.id, {
              onSuccess: (r) => {
                setMessage(
                  `Cut off ${cutting.email}: ${plural(r.sessions, 'browser session', 'browser sessions')} ended, ${plural(r.cliTokens, 'CLI token', 'CLI tokens')} revoked. ${
                    r.revocation
                      ? `Their AWS sessions are being revoked in ${plural(r.revocation.accountIds.length, 'account', 'accounts')} (${r.revocation.accountIds.join(', ')}); see Revocations.`
                      : 'They had no AWS session in the last 12 hours.'
                  }`,
                );
                setCutting(null);
              },
            })
          }
        >
          <p>
            All browser sessions of <strong>{cutting.email}</strong> end now, all their CLI tokens stop working, and AWS denies every session they started
            before now, on every role they used in the last 12 hours. New grants need a fresh sign-in: remove the person from their IdP groups too, or they can
            sign in again.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
