import { useEffect, useId, useRef, useState } from 'react';
import type { AwsCredentials, Entitlement, GrantKind } from '@rolegate/contract';
import { errorMessage } from '../api';
import { roleKey } from '../entitlements';
import { defaultDuration, formatDuration } from '../format';
import { useCreateGrant } from '../hooks/useCreateGrant';
import { CredentialsDialog } from './CredentialsDialog';
import { DurationSelect } from './DurationSelect';
import { ReasonField } from './ReasonField';
import { Spinner } from './Spinner';

/** One role: what it is, the request options, and the Console / CLI buttons. */
export function RoleRow({ entitlement: e }: { entitlement: Entitlement }) {
  const key = roleKey(e);
  const hintId = useId();
  const [duration, setDuration] = useState(() => defaultDuration(e.maxDurationSeconds));
  const [reason, setReason] = useState('');
  const [opening, setOpening] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [credentials, setCredentials] = useState<AwsCredentials | null>(null);
  const grant = useCreateGrant();
  const cliButton = useRef<HTMLButtonElement>(null);

  // Coming back with the browser's Back button restores this page from the
  // back/forward cache with "Opening console…" still showing; clear it.
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) setOpening(false);
    };
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
  }, []);

  const reasonMissing = e.requireReason && reason.trim() === '';
  const busy = grant.isPending || opening;
  const disabled = busy || reasonMissing || duration === undefined;
  const pendingKind: GrantKind | undefined = grant.isPending ? grant.variables.kind : undefined;

  function request(kind: GrantKind) {
    setProblem(null);
    grant.mutate(
      { entitlementId: e.id, kind, durationSeconds: duration, reason: e.requireReason ? reason.trim() : undefined },
      {
        onSuccess: (res) => {
          if (kind === 'console' && res.consoleUrl) {
            setOpening(true);
            window.location.assign(res.consoleUrl);
          } else if (kind === 'cli' && res.credentials) {
            setCredentials(res.credentials);
          } else {
            setProblem('Rolegate did not return what was asked for. Please try again.');
          }
        },
      },
    );
  }

  function closeCredentials() {
    // Drop the secrets: from this component and from the mutation's result.
    setCredentials(null);
    grant.reset();
    cliButton.current?.focus();
  }

  const error = grant.isError ? errorMessage(grant.error) : problem;

  return (
    <li className="role" data-testid={`role-${key}`}>
      <div className="role__info">
        <h3 className="role__name">{e.roleName}</h3>
        {e.description && <p className="role__description">{e.description}</p>}
        <p className="role__meta">
          <span>Up to {formatDuration(e.maxDurationSeconds)}</span>
          {e.requireReason && <span className="tag">Reason required</span>}
        </p>
      </div>

      <div className="role__controls">
        {/* Reason first: Duration and the buttons then line up across rows. */}
        {e.requireReason && (
          <ReasonField testId={`reason-${key}`} value={reason} onChange={setReason} disabled={busy} describedBy={hintId} />
        )}
        <DurationSelect
          testId={`duration-${key}`}
          maxDurationSeconds={e.maxDurationSeconds}
          value={duration}
          onChange={setDuration}
          disabled={busy}
        />
        <div className="role__actions">
          <button
            type="button"
            className="btn btn--primary"
            data-testid={`console-${key}`}
            disabled={disabled}
            aria-describedby={reasonMissing ? hintId : undefined}
            onClick={() => request('console')}
          >
            {(pendingKind === 'console' || opening) && <Spinner />}
            {opening ? 'Opening console…' : pendingKind === 'console' ? 'Requesting…' : 'Console'}
          </button>
          <button
            type="button"
            className="btn btn--secondary"
            ref={cliButton}
            data-testid={`cli-${key}`}
            disabled={disabled}
            aria-describedby={reasonMissing ? hintId : undefined}
            onClick={() => request('cli')}
          >
            {pendingKind === 'cli' && <Spinner />}
            {pendingKind === 'cli' ? 'Requesting…' : 'CLI credentials'}
          </button>
        </div>
        {reasonMissing && (
          <p id={hintId} className="role__hint">
            Enter a reason to request this role.
          </p>
        )}
        <div aria-live="polite" className="role__status">
          {opening && <p className="role__opening">Opening the AWS console…</p>}
        </div>
        {error && (
          <p className="role__error" role="alert" data-testid={`error-${key}`}>
            {error}
          </p>
        )}
      </div>

      {credentials && (
        <CredentialsDialog
          credentials={credentials}
          title={`${e.roleName} · ${e.accountName}`}
          accountId={e.accountId}
          onClose={closeCredentials}
        />
      )}
    </li>
  );
}
