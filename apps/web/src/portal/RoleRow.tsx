import { useEffect, useId, useRef, useState } from 'react';
import type { AwsCredentials, Entitlement, GrantKind } from '@rolegate/contract';
import { errorMessage } from '../api';
import { consoleLink, roleKey } from './entitlements';
import { defaultDuration, formatDuration } from '../format';
import { useCreateGrant } from '../hooks/useCreateGrant';
import { CredentialsDialog } from './CredentialsDialog';
import { DurationSelect } from './DurationSelect';
import { ReasonField } from './ReasonField';
import { Spinner } from '../components/Spinner';
import { TimeLeft } from '../components/TimeLeft';
import { WindowEndingPrompt } from './WindowEndingPrompt';
import { RequestForm } from '../requests/RequestForm';

/** What the portal passes to every role row: the person's favourites and console region. */
export interface RoleRowOptions {
  isFavourite: (mappingId: string) => boolean;
  toggleFavourite: (mappingId: string) => void;
  /** Console region kept for the person, or null for the default. */
  region: string | null;
}

/** One role: what it is, the request options, the Console link / CLI button, favourite star and "Copy link". */
export function RoleRow({ entitlement: e, options }: { entitlement: Entitlement; options: RoleRowOptions }) {
  const key = roleKey(e);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const favourite = options.isFavourite(e.id);
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
    // The console opens in a new tab, as the link does for other roles. The tab is opened now, during
    // the click (a tab opened after the request would be blocked as a pop-up), and cut from this page.
    const tab = kind === 'console' ? window.open('about:blank', '_blank') : null;
    if (tab) tab.opener = null;
    grant.mutate(
      { entitlementId: e.id, kind, durationSeconds: duration, reason: e.requireReason ? reason.trim() : undefined },
      {
        onError: () => tab?.close(),
        onSuccess: (res) => {
          if (kind === 'console' && res.consoleUrl) {
            if (tab && !tab.closed) {
              tab.location.replace(res.consoleUrl);
            } else {
              setOpening(true);
              window.location.assign(res.consoleUrl);
            }
          } else if (kind === 'cli' && res.credentials) {
            setCredentials(res.credentials);
          } else {
            tab?.close();
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
  // The bookmarkable deep link. Our own origin: opening it (click, Ctrl/middle-click, a bookmark) issues the grant directly.
  const link = consoleLink(e, { duration, region: options.region });

  async function copyLink() {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('clipboard unavailable');
      await navigator.clipboard.writeText(new URL(link, window.location.origin).toString());
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  }

  return (
    <li className="role" data-testid={`role-${key}`}>
      <div className="role__info">
        <h3 className="role__name">
          <button
            type="button"
            className={`favourite${favourite ? ' favourite--on' : ''}`}
            aria-pressed={favourite}
            aria-label={`Favourite: ${e.roleName} in ${e.accountName}`}
            title={favourite ? 'Remove from favourites' : 'Pin to favourites'}
            data-testid={`favourite-${key}`}
            onClick={() => options.toggleFavourite(e.id)}
          >
            <span aria-hidden="true">{favourite ? '★' : '☆'}</span>
          </button>
          {e.roleName}
        </h3>
        {e.description && <p className="role__description">{e.description}</p>}
        <p className="role__meta">
          <span>Up to {formatDuration(e.maxDurationSeconds)}</span>
          {e.requireReason && <span className="tag">Reason required</span>}
          {e.access === 'approval' && (
            <span className="tag" data-testid={`needs-approval-${key}`}>
              Needs approval
            </span>
          )}
          {e.window && (
            <span data-testid={`window-${key}`}>
              Access window: <TimeLeft expiresAt={e.window.endsAt} testId={`window-left-${key}`} />
            </span>
          )}
        </p>
      </div>

      {e.access === 'approval' && !e.window ? (
        <div className="role__controls">
          <RequestForm entitlement={e} />
        </div>
      ) : (
        <div className="role__controls">
          {e.window && <WindowEndingPrompt entitlement={e} />}
          {/* Reason first: Duration and the buttons then line up across rows. */}
          {e.requireReason && <ReasonField testId={`reason-${key}`} value={reason} onChange={setReason} disabled={busy} describedBy={hintId} />}
          <DurationSelect testId={`duration-${key}`} maxDurationSeconds={e.maxDurationSeconds} value={duration} onChange={setDuration} disabled={busy} />
          <div className="role__actions">
            {e.requireReason ? (
              // The reason travels in the request body, so this role is opened here rather than by link.
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
            ) : (
              <a className="btn btn--primary" href={link} target="_blank" rel="noopener" data-testid={`console-${key}`}>
                Console<span className="visually-hidden"> (opens in a new tab)</span>
              </a>
            )}
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
            {!e.requireReason && (
              <button type="button" className="btn btn--ghost btn--sm" data-testid={`copy-link-${key}`} onClick={() => void copyLink()}>
                Copy link
              </button>
            )}
          </div>
          <p className="role__copied" aria-live="polite" data-testid={`copy-link-status-${key}`}>
            {copied === 'copied'
              ? 'Link copied: it opens this role’s console (bookmark it or share it with someone who has the role).'
              : copied === 'failed'
                ? `Copy this link: ${new URL(link, window.location.origin).toString()}`
                : ''}
          </p>
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
      )}

      {credentials && (
        <CredentialsDialog credentials={credentials} title={`${e.roleName} · ${e.accountName}`} accountId={e.accountId} onClose={closeCredentials} />
      )}
    </li>
  );
}
