import { useId, useState } from 'react';
import type { Entitlement } from '@rolegate/contract';
import { errorMessage } from '../api';
import { useNow } from '../hooks/useNow';
import { useRequestActions } from '../hooks/useRequests';
import { DurationSelect } from './DurationSelect';
import { roleKey } from './entitlements';
import { defaultRequestDuration, ReasonField, RequestSent } from '../requests/RequestFields';

/** Under this much time left no new session can be issued inside the window (AWS's shortest is 15 minutes). */
export const WINDOW_ENDING_MS = 15 * 60 * 1000;

/**
 * Shown on a role whose access window has less than 15 minutes left: the
 * broker refuses new sessions then (WINDOW_ENDING), so the row offers to
 * extend the window instead — decided by the role's policy (at once when it
 * allows extensions without approval, otherwise by its approvers).
 */
export function WindowEndingPrompt({ entitlement: e }: { entitlement: Entitlement }) {
  const id = useId();
  const key = roleKey(e);
  const now = useNow(15_000);
  const { extend } = useRequestActions();
  const [duration, setDuration] = useState(defaultRequestDuration(e.maxDurationSeconds));
  const [reason, setReason] = useState('');
  if (!e.window || Date.parse(e.window.endsAt) - now >= WINDOW_ENDING_MS) return null;
  const sent = extend.isSuccess ? extend.data.request : null;
  if (sent) {
    return (
      <RequestSent testId={`window-extend-sent-${key}`} requestId={sent.id}>
        {sent.status === 'approved' ? 'Window extended.' : 'More time requested: approvers have been asked.'}
      </RequestSent>
    );
  }
  return (
    <form
      className="request-form window-ending"
      data-testid={`window-ending-${key}`}
      aria-labelledby={`${id}-title`}
      onSubmit={(ev) => {
        ev.preventDefault();
        if (!e.window || duration === undefined || reason.trim() === '') return;
        extend.mutate({ id: e.window.requestId, durationSeconds: duration, reason: reason.trim() });
      }}
    >
      <p id={`${id}-title`} className="window-ending__title" role="status">
        Less than 15 minutes left in this access window: no new session can start. Extend it to keep working.
      </p>
      <ReasonField id={id} label="Why more time?" value={reason} onChange={setReason} testId={`window-extend-reason-${key}`} />
      <DurationSelect
        testId={`window-extend-duration-${key}`}
        label="More time"
        maxDurationSeconds={e.maxDurationSeconds}
        minSeconds={1200}
        value={duration}
        onChange={setDuration}
      />
      <div className="role__actions">
        <button
          type="submit"
          className="btn btn--primary"
          disabled={extend.isPending || reason.trim() === '' || duration === undefined}
          data-testid={`window-extend-submit-${key}`}
        >
          Extend window
        </button>
      </div>
      {extend.error && (
        <p className="role__error" role="alert" data-testid={`window-extend-error-${key}`}>
          {errorMessage(extend.error)}
        </p>
      )}
    </form>
  );
}
