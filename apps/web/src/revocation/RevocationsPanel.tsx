import { useId, useState } from 'react';
import type { Revocation } from '@rolegate/contract';
import { useRevocations } from '../hooks/useRevocations';
import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { formatDateTime } from '../format';

const STATUS_LABEL: Record<Revocation['status'], string> = {
  requested: 'Waiting for AWS',
  applied: 'Applied at AWS',
  pruned: 'Done (sessions ended)',
};

/** One revocation: what, where, its state at AWS and, while it waits, the last IAM error. */
function RevocationItem({ r }: { r: Revocation }) {
  return (
    <li className="account-item" data-testid={`revocation-${r.id}`} data-status={r.status}>
      <span className="account-item__name">
        {r.kind === 'grant' ? 'Grant' : 'Person'} <span className="mono">{r.target}</span>
      </span>
      <span
        className={`badge ${r.status === 'requested' ? 'badge--pending' : r.status === 'applied' ? 'badge--revoked' : 'badge--issued'}`}
        data-testid={`revocation-status-${r.id}`}
      >
        {STATUS_LABEL[r.status]}
      </span>
      <span className="muted account-item__count">
        accounts {r.accountIds.join(', ')}; asked by {r.requestedBy} at {formatDateTime(r.createdAt)} ({r.reason})
        {r.revokedBefore ? `; sessions issued before ${formatDateTime(r.revokedBefore)}` : ''}
        {r.appliedAt ? `; applied ${formatDateTime(r.appliedAt)} as policy version ${r.policyVersions.join(', ')}` : ''}
      </span>
      {r.fallback && (
        <p className="notice notice--warning" role="note" data-testid={`revocation-fallback-${r.id}`}>
          The revocation policy was full: every session issued before this revocation on the account’s roles was denied (role-wide fallback). People who still
          need access must start a new session.
        </p>
      )}
      {r.status === 'requested' && r.error && (
        <p className="form-error" role="note" data-testid={`revocation-error-${r.id}`}>
          Attempt {r.attempts} failed: {r.error}
          {r.nextAttemptAt ? `; retrying at ${formatDateTime(r.nextAttemptAt)}` : ''}
        </p>
      )}
    </li>
  );
}

/** Admin: every revocation with its state at AWS (requested → applied → pruned). */
export function RevocationsPanel() {
  const filterId = useId();
  const [status, setStatus] = useState('');
  const list = useRevocations(status);
  return (
    <section className="card section" aria-labelledby="revocations-title">
      <header className="section__header">
        <div>
          <h2 id="revocations-title" className="section-title">
            Revocations at AWS
          </h2>
          <p className="section-lead">
            Each revocation is recorded first, then written into the account’s revocation policy within seconds. One that waits shows IAM’s last error and is
            retried until it applies.
          </p>
        </div>
      </header>
      <div className="filter-row">
        <label htmlFor={filterId} className="field__label">
          State
        </label>
        <select id={filterId} className="input" value={status} onChange={(e) => setStatus(e.target.value)} data-testid="revocations-status">
          <option value="">All</option>
          <option value="requested">Waiting for AWS</option>
          <option value="applied">Applied at AWS</option>
          <option value="pruned">Done</option>
        </select>
      </div>
      {list.isPending && <SkeletonList rows={2} label="Loading revocations…" />}
      {list.isError && (
        <ErrorNotice title="Revocations could not be loaded" error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      )}
      {list.isSuccess && list.data.length === 0 && (
        <EmptyState title="No revocations">
          <p>Revoke a grant from its person’s grant history, or cut a person off on the People screen.</p>
        </EmptyState>
      )}
      {list.isSuccess && list.data.length > 0 && (
        <ul className="account-list" data-testid="revocations-list">
          {list.data.map((r) => (
            <RevocationItem key={r.id} r={r} />
          ))}
        </ul>
      )}
    </section>
  );
}
