import type { ReactNode } from 'react';
import type { Grant } from '@rolegate/contract';
import { formatDateTime, formatDuration, roleNameFromArn } from '../format';
import { TimeLeft } from '../components/TimeLeft';
import { ReasonText } from '../components/ReasonText';
import { StatusBadge } from '../components/StatusBadge';

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
      </Cell>
      <Cell label="Duration">{g.durationSeconds ? formatDuration(g.durationSeconds) : none}</Cell>
      <Cell label="Reason" className="cell-reason">
        {g.reason ? <ReasonText text={g.reason} /> : none}
      </Cell>
    </tr>
  );
}
