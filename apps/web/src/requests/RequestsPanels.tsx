import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { useRequest, useRequestList, useReviews, useRequestActions } from '../hooks/useRequests';
import { RequestCard } from './RequestCard';
import { useId, useState } from 'react';
import type { AccessRequest } from '@rolegate/contract';
import { errorMessage } from '../api';
import { formatTimeWithZone } from '../format';
import { useQuery } from '@tanstack/react-query';
import { requestsApi } from '../api';

/** "My requests": status, time left in the window, extend, end, cancel. */
export function MyRequestsPanel() {
  const list = useRequestList('mine');
  if (list.isPending) return <SkeletonList rows={3} label="Loading your requests…" />;
  if (list.isError)
    return <ErrorNotice title="Your requests could not be loaded" error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  if (list.data.items.length === 0) {
    return (
      <EmptyState title="No requests yet">
        <p>Roles that need approval show a Request button under AWS access.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="stack plain-list" data-testid="my-requests">
      {list.data.items.map((r) => (
        <RequestCard key={r.id} request={r} />
      ))}
    </ul>
  );
}

/** The approver inbox: pending requests the caller may decide, with the requester's recent history on that role. */
export function ApprovalsPanel() {
  const list = useRequestList('approver', 'pending');
  if (list.isPending) return <SkeletonList rows={3} label="Loading requests to approve…" />;
  if (list.isError)
    return <ErrorNotice title="Requests to approve could not be loaded" error={list.error} onRetry={() => void list.refetch()} retrying={list.isFetching} />;
  const open = list.data.items.filter((r) => r.status === 'pending');
  if (open.length === 0) {
    return (
      <EmptyState title="Nothing waits for your approval">
        <p>Requests for roles you approve appear here.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="stack plain-list" data-testid="approvals">
      {open.map((r) => (
        <RequestCard key={r.id} request={r} recent={r.recent ?? []} />
      ))}
    </ul>
  );
}

/** One request by its address (`/requests/:id`): where an approver lands after a fresh sign-in, and the Review links point. */
export function RequestDetailPanel({ requestId }: { requestId: string }) {
  const r = useRequest(requestId);
  if (r.isPending) return <SkeletonList rows={1} label="Loading the request…" />;
  if (r.isError) return <ErrorNotice title="This request could not be loaded" error={r.error} onRetry={() => void r.refetch()} retrying={r.isFetching} />;
  return (
    <ul className="stack plain-list">
      <RequestCard request={r.data} />
    </ul>
  );
}

/** Admin: break-glass uses waiting for review; overdue ones are flagged. */
export function ReviewsPanel() {
  const reviews = useReviews();
  if (reviews.isPending) return <SkeletonList rows={3} label="Loading the review queue…" />;
  if (reviews.isError)
    return (
      <ErrorNotice title="The review queue could not be loaded" error={reviews.error} onRetry={() => void reviews.refetch()} retrying={reviews.isFetching} />
    );
  if (reviews.data.length === 0) {
    return (
      <EmptyState title="No break-glass use waits for review">
        <p>Every break-glass request appears here until someone closes its review with a note.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="stack plain-list" data-testid="reviews">
      {reviews.data.map((r) => (
        <ReviewItem key={r.id} request={r} />
      ))}
    </ul>
  );
}

function ReviewItem({ request: r }: { request: AccessRequest & { overdue: boolean } }) {
  const id = useId();
  const [note, setNote] = useState('');
  const { closeReview } = useRequestActions();
  return (
    <li className="card section" data-testid={`review-${r.id}`} data-overdue={r.overdue}>
      <h3 className="role__name">
        {r.roleName} <span className="muted">· {r.accountId}</span>{' '}
        {r.overdue && (
          <span className="tag tag--warning" data-testid={`review-overdue-${r.id}`}>
            Overdue
          </span>
        )}
      </h3>
      <p>
        {r.requester.email} used break-glass at {formatTimeWithZone(r.createdAt)}: “{r.reason}”. Review due{' '}
        {r.review ? formatTimeWithZone(r.review.dueAt) : '—'}.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (note.trim()) closeReview.mutate({ id: r.id, note: note.trim() });
        }}
      >
        <div className="field">
          <label className="field__label" htmlFor={`${id}-note`}>
            Review note
          </label>
          <textarea
            id={`${id}-note`}
            className="textarea"
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            required
            maxLength={1000}
            data-testid={`review-note-${r.id}`}
          />
        </div>
        <button type="submit" className="btn btn--primary" disabled={closeReview.isPending || note.trim() === ''} data-testid={`review-close-${r.id}`}>
          Close review
        </button>
        {closeReview.isError && (
          <p className="role__error" role="alert">
            {errorMessage(closeReview.error)}
          </p>
        )}
      </form>
    </li>
  );
}

/** Admin: the outbox — every notification, its channel and target, and how its delivery went (the demo sends nowhere: this is what would have gone out). */
export function OutboxPanel() {
  const outbox = useQuery({ queryKey: ['admin', 'outbox'], queryFn: requestsApi.outbox, refetchInterval: 10_000 });
  if (outbox.isPending) return <SkeletonList rows={3} label="Loading notifications…" />;
  if (outbox.isError)
    return <ErrorNotice title="Notifications could not be loaded" error={outbox.error} onRetry={() => void outbox.refetch()} retrying={outbox.isFetching} />;
  if (outbox.data.items.length === 0) {
    return (
      <EmptyState title="No notifications yet">
        <p>Requests, approvals and break-glass uses are announced here and to the configured channels.</p>
      </EmptyState>
    );
  }
  return (
    <div className="card section">
      <table className="table" data-testid="outbox">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Channel</th>
            <th scope="col">Target</th>
            <th scope="col">Message</th>
            <th scope="col">Delivery</th>
          </tr>
        </thead>
        <tbody>
          {outbox.data.items.map((o) => (
            <tr key={o.id} data-testid={`outbox-${o.id}`}>
              <td>{formatTimeWithZone(o.createdAt)}</td>
              <td>{o.eventType}</td>
              <td>{o.channel}</td>
              <td className="breakable">{o.target}</td>
              <td className="breakable" data-testid={`outbox-message-${o.id}`}>
                {o.message}
              </td>
              <td>
                {o.status} ({o.attempts} {o.attempts === 1 ? 'attempt' : 'attempts'}){o.lastError ? `: ${o.lastError}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
