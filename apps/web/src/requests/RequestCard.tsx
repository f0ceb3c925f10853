import { useId, useState } from 'react';
import type { AccessRequest } from '@rolegate/contract';
import { ApiError, errorMessage } from '../api';
import { formatDuration, formatTimeWithZone } from '../format';
import { useRequestActions } from '../hooks/useRequests';
import { DurationSelect } from '../portal/DurationSelect';
import { TimeLeft } from '../components/TimeLeft';
import { RequestStatusBadge } from './RequestStatusBadge';

/** Past requests of the same person on the same role, for an approver's judgement. */
type Recent = Pick<AccessRequest, 'id' | 'createdAt' | 'status' | 'reason' | 'durationSeconds'>[];

/**
 * One access request with what the signed-in person may do with it now
 * (the server's `can`): approve or deny with a comment, cancel, end the
 * window early, ask for more time. An approval that needs a fresh sign-in
 * sends the browser through the identity provider and back here.
 */
export function RequestCard({ request: r, recent }: { request: AccessRequest; recent?: Recent | undefined }) {
  const id = useId();
  const actions = useRequestActions();
  const [comment, setComment] = useState('');
  const [extending, setExtending] = useState(false);
  const [extendBy, setExtendBy] = useState<number | undefined>(3600);
  const [extendReason, setExtendReason] = useState('');
  const busy = actions.decide.isPending || actions.act.isPending || actions.extend.isPending;
  const failure = actions.decide.error ?? actions.act.error ?? actions.extend.error;

  function decide(decision: 'approve' | 'deny') {
    actions.decide.mutate(
      { id: r.id, decision, comment: comment.trim() },
      {
        onError: (err) => {
          const loginUrl =
            err instanceof ApiError && err.code === 'STEP_UP_REQUIRED' ? (err.details as { loginUrl?: unknown } | undefined)?.loginUrl : undefined;
          // Same-origin path only (the server builds it); the IdP then brings the approver back to this request.
          if (typeof loginUrl === 'string' && loginUrl.startsWith('/auth/login?')) window.location.assign(loginUrl);
        },
      },
    );
  }

  const key = r.id;
  return (
    <li className="card section request" data-testid={`request-${key}`} data-status={r.status}>
      <header className="request__header">
        <h3 className="role__name">
          {r.roleName} <span className="muted">· {r.accountId}</span>
        </h3>
        <RequestStatusBadge status={r.status} />
        {r.breakGlass && <span className="tag tag--warning">Break-glass</span>}
      </header>
      <dl className="request__facts">
        <dt>Requested by</dt>
        <dd data-testid={`request-requester-${key}`}>{r.requester.email}</dd>
        <dt>When</dt>
        <dd>
          <time dateTime={r.createdAt}>{formatTimeWithZone(r.createdAt)}</time>
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(r.durationSeconds)}</dd>
        <dt>Reason</dt>
        <dd className="breakable">{r.reason}</dd>
        {r.status === 'pending' && (
          <>
            <dt>Approvals</dt>
            <dd data-testid={`request-progress-${key}`}>
              {r.progress.stages > 1 ? `stage ${r.progress.stage} of ${r.progress.stages}: ` : ''}
              {r.progress.needed} more needed
            </dd>
          </>
        )}
        {r.windowEndsAt && r.status === 'approved' && (
          <>
            <dt>Access window</dt>
            <dd>
              <TimeLeft expiresAt={r.windowEndsAt} testId={`request-window-${key}`} />
            </dd>
          </>
        )}
        {r.approvals.length > 0 && (
          <>
            <dt>Approved by</dt>
            <dd>
              <ul className="plain-list">
                {r.approvals.map((a) => (
                  <li key={`${a.by.id}-${a.stage}`}>
                    {a.by.email} <span className="muted">({formatTimeWithZone(a.at)})</span>
                    {a.comment ? `: “${a.comment}”` : ''}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {r.review && (
          <>
            <dt>Review</dt>
            <dd>
              {r.review.status === 'open'
                ? `open, due ${formatTimeWithZone(r.review.dueAt)}`
                : `closed by ${r.review.by?.email ?? '?'}: “${r.review.note ?? ''}”`}
            </dd>
          </>
        )}
      </dl>

      {recent && (
        <div className="request__recent" data-testid={`request-recent-${key}`}>
          <h4 className="section-subtitle">Recent requests by {r.requester.email} for this role</h4>
          {recent.length === 0 ? (
            <p className="muted">None before this one.</p>
          ) : (
            <ul className="plain-list">
              {recent.map((h) => (
                <li key={h.id}>
                  {formatTimeWithZone(h.createdAt)} · {formatDuration(h.durationSeconds)} · <RequestStatusBadge status={h.status} /> · {h.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}

      {(r.can.approve || r.can.deny) && (
        <div className="request__decide">
          <div className="field">
            <label className="field__label" htmlFor={`${id}-comment`}>
              Comment (optional)
            </label>
            <textarea
              id={`${id}-comment`}
              className="textarea"
              rows={2}
              maxLength={1000}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              data-testid={`request-comment-${key}`}
            />
          </div>
          <div className="role__actions">
            {r.can.approve && (
              <button type="button" className="btn btn--primary" disabled={busy} onClick={() => decide('approve')} data-testid={`request-approve-${key}`}>
                Approve
              </button>
            )}
            {r.can.deny && (
              <button type="button" className="btn btn--danger-ghost" disabled={busy} onClick={() => decide('deny')} data-testid={`request-deny-${key}`}>
                Deny
              </button>
            )}
          </div>
        </div>
      )}

      <div className="role__actions">
        {r.can.cancel && (
          <button
            type="button"
            className="btn btn--ghost"
            disabled={busy}
            onClick={() => actions.act.mutate({ id: r.id, action: 'cancel' })}
            data-testid={`request-cancel-${key}`}
          >
            Cancel request
          </button>
        )}
        {r.can.end && (
          <button
            type="button"
            className="btn btn--danger-ghost"
            disabled={busy}
            onClick={() => actions.act.mutate({ id: r.id, action: 'end' })}
            title="Ends the window now and revokes at AWS every session issued in it"
            data-testid={`request-end-${key}`}
          >
            End now
          </button>
        )}
        {r.can.extend && !extending && (
          <button type="button" className="btn btn--secondary" disabled={busy} onClick={() => setExtending(true)} data-testid={`request-extend-${key}`}>
            Extend…
          </button>
        )}
      </div>
      {extending && (
        <form
          className="request__extend"
          onSubmit={(e) => {
            e.preventDefault();
            if (extendBy === undefined || extendReason.trim() === '') return;
            actions.extend.mutate({ id: r.id, durationSeconds: extendBy, reason: extendReason.trim() }, { onSuccess: () => setExtending(false) });
          }}
        >
          <DurationSelect
            testId={`request-extend-duration-${key}`}
            label="More time"
            maxDurationSeconds={43200}
            minSeconds={1200}
            value={extendBy}
            onChange={setExtendBy}
          />
          <div className="field">
            <label className="field__label" htmlFor={`${id}-extend-reason`}>
              Why more time?
            </label>
            <input
              id={`${id}-extend-reason`}
              className="input"
              value={extendReason}
              onChange={(e) => setExtendReason(e.target.value)}
              required
              maxLength={1000}
            />
          </div>
          <button type="submit" className="btn btn--primary" disabled={busy || extendReason.trim() === ''} data-testid={`request-extend-submit-${key}`}>
            Ask for more time
          </button>
        </form>
      )}
      {failure && (
        <p className="role__error" role="alert" data-testid={`request-error-${key}`}>
          {errorMessage(failure)}
        </p>
      )}
    </li>
  );
}
