import { useState, type ReactNode } from 'react';
import type { Grant } from '@rolegate/contract';
import { formatDateTime, formatDuration, roleNameFromArn } from '../format';
import { TimeLeft } from '../components/TimeLeft';
import { ReasonText } from '../components/ReasonText';
import { StatusBadge } from '../components/StatusBadge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { errorMessage } from '../api';
import { useRevokeGrant } from '../hooks/useRevocations';

const KIND_LABEL: Record<Grant['kind'], string> = { console: 'Console', cli: 'CLI' };

/** The end of an issued grant that was still running when the list was loaded (its countdown then runs live). */
function activeUntil(g: Grant): string | null {
  if (g.status !== 'issued' || !g.expiresAt) return null;
  return new Date(g.expiresAt).getTime() > Date.now() ? g.expiresAt : null;
}

const none = <span className="muted">—</span>;

/** A table cell; `label` feeds the labelled-card layout on phones. */
function Cell({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <td data-label={label} className={className}>
      <div>{children}</div>
    </td>
  );
}

/** Ends a live grant's AWS sessions, after a confirmation (the broker writes it into the account's revocation policy). */
function RevokeButton({ grant: g, role }: { grant: Grant; role: string | null }) {
  const [asking, setAsking] = useState(false);
  const revoke = useRevokeGrant();
  return (
    <>
      <button
        type="button"
        className="btn btn--danger-ghost btn--sm"
        onClick={() => {
          revoke.reset();
          setAsking(true);
        }}
        aria-label={`Revoke the ${role ?? ''} grant of ${formatDateTime(g.createdAt)}`}
        data-testid={`revoke-grant-${g.id}`}
      >
        Revoke
      </button>
      {asking && (
        <ConfirmDialog
          title="Revoke this session?"
          confirmLabel={revoke.isPending ? 'Revoking…' : 'Revoke'}
          busy={revoke.isPending}
          error={revoke.isError ? errorMessage(revoke.error) : undefined}
          testId="revoke-grant-dialog"
          onClose={() => setAsking(false)}
          onConfirm={() => revoke.mutate({ grantId: g.id, reason: '' }, { onSuccess: () => setAsking(false) })}
        >
          <p>
            AWS will deny this grant’s {g.kind === 'console' ? 'console' : 'CLI'} session{role ? ` as ${role}` : ''} within seconds, in every tab and tool using
            it. You can request a new session afterwards if you still need one.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** One grant in "My grants". */
export function GrantRow({ grant: g, accountName }: { grant: Grant; accountName: string | undefined }) {
  const role = roleNameFromArn(g.roleArn);
  const until = activeUntil(g);
  return (
    <tr data-testid={`grant-${g.id}`}>
      <Cell label="Time">
        <time dateTime={g.createdAt}>{formatDateTime(g.createdAt)}</time>
      </Cell>
      <Cell label="Account">
        {accountName && <span className="cell-main">{accountName}</span>}
        {g.accountId ? <span className="cell-sub mono">{g.accountId}</span> : none}
      </Cell>
      <Cell label="Role">{role ? <span className="cell-main">{role}</span> : none}</Cell>
      <Cell label="Kind">{KIND_LABEL[g.kind]}</Cell>
      <Cell label="Status">
        <StatusBadge status={g.status} />
        {until && (
          <span className="cell-sub">
            <TimeLeft expiresAt={until} testId={`time-left-${g.id}`} />
          </span>
        )}
        {g.error && <span className="cell-sub cell-sub--error">{g.error}</span>}
        {until && (
          <span className="cell-sub">
            <RevokeButton grant={g} role={role} />
          </span>
        )}
      </Cell>
      <Cell label="Duration">{g.durationSeconds ? formatDuration(g.durationSeconds) : none}</Cell>
      <Cell label="Reason" className="cell-reason">
        {g.reason ? <ReasonText text={g.reason} /> : none}
      </Cell>
    </tr>
  );
}
