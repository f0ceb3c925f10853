import { useId, useState } from 'react';
import type { Entitlement } from '@rolegate/contract';
import { errorMessage } from '../api';
import { roleKey } from '../portal/entitlements';
import { useRequestActions } from '../hooks/useRequests';
import { DurationSelect } from '../portal/DurationSelect';
import { defaultRequestDuration, ReasonField, RequestSent } from './RequestFields';

/** Request access to an approval role: a reason, how long, and (where allowed) break-glass. */
export function RequestForm({ entitlement: e }: { entitlement: Entitlement }) {
  const id = useId();
  const key = roleKey(e);
  const { create } = useRequestActions();
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState(defaultRequestDuration(e.maxDurationSeconds));
  const [breakGlass, setBreakGlass] = useState(false);
  const sent = create.isSuccess ? create.data.request : null;

  if (sent) {
    return (
      <RequestSent testId={`request-sent-${key}`} requestId={sent.id}>
        {sent.status === 'approved' ? 'Break-glass access is open: reload to use it.' : 'Request sent. Approvers have been asked; see My requests.'}
      </RequestSent>
    );
  }
  return (
    <form
      className="request-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (duration === undefined || reason.trim() === '') return;
        create.mutate({ entitlementId: e.id, durationSeconds: duration, reason: reason.trim(), ...(breakGlass ? { breakGlass: true } : {}) });
      }}
    >
      <ReasonField id={id} label="Reason" value={reason} onChange={setReason} testId={`request-reason-${key}`} />
      <DurationSelect testId={`request-duration-${key}`} maxDurationSeconds={e.maxDurationSeconds} minSeconds={1200} value={duration} onChange={setDuration} />
      {e.breakGlass && (
        <label className="checkbox">
          <input type="checkbox" checked={breakGlass} onChange={(ev) => setBreakGlass(ev.target.checked)} data-testid={`request-breakglass-${key}`} />{' '}
          Break-glass: skip approval now (approvers are told at once and an admin reviews it)
        </label>
      )}
      <div className="role__actions">
        <button
          type="submit"
          className="btn btn--primary"
          disabled={create.isPending || reason.trim() === '' || duration === undefined}
          data-testid={`request-submit-${key}`}
        >
          {breakGlass ? 'Break glass' : 'Request'}
        </button>
      </div>
      {create.isError && (
        <p className="role__error" role="alert" data-testid={`request-error-${key}`}>
          {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
}
