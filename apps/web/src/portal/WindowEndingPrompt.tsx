import { useId, useState } from 'react';
import type { Entitlement } from '@rolegate/contract';
import { errorMessage } from '../api';
import { useNow } from '../hooks/useNow';
import { useRequestActions } from '../hooks/useRequests';
import { DurationSelect } from './DurationSelect';
import { roleKey } from './entitlements';

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
  const [duration, setDuration] = useState<number | undefined>(Math.min(3600, e.maxDurationSeconds) >= 1200 ? Math.min(3600, e.maxDurationSeconds) : undefined);
  const [reason, setReason] = useState('');
  if (!e.window || Date.parse(e.window.endsAt) - now >= WINDOW_ENDING_MS) return null;
  const sent = extend.isSuccess ? extend.data.request : null;
  if (sent) {
    return (
      <p className="role__opening" role="status" data-testid={`window-extend-sent-${key}`}>
        {sent.status === 'approved' ? 'Window extended.' : 'More time requested: approvers have been asked.'}{' '}
        <a href={`/requests/${sent.id}`}>View the request</a>
      </p>
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
      <div className="field">
        <label className="field__label" htmlFor={`${id}-reason`}>
          Why more time?
        </label>
        <input
          id={`${id}-reason`}
          className="input"
          value={reason}
          onChange={(ev) => setReason(ev.target.value)}
          required
          maxLength={1000}
          data-testid={`window-extend-reason-${key}`}
        />
      </div>
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
