import type { Grant } from '@rolegate/contract';
import { formatDateTime, formatDuration, formatTime, roleNameFromArn } from '../format';
import { StatusBadge } from './StatusBadge';

const KIND_LABEL: Record<Grant['kind'], string> = { console: 'Console', cli: 'CLI' };

function activeUntil(g: Grant): string | null {
  if (g.status !== 'issued' || !g.expiresAt) return null;
  return new Date(g.expiresAt).getTime() > Date.now() ? formatTime(g.expiresAt) : null;
}

/** One grant in "My grants". `data-label` feeds the phone card layout. */
export function GrantRow({ grant: g, accountName }: { grant: Grant; accountName: string | undefined }) {
  const role = roleNameFromArn(g.roleArn);
  const until = activeUntil(g);
  return (
    <tr data-testid={`grant-${g.id}`}>
      <td data-label="Time">
        <time dateTime={g.createdAt}>{formatDateTime(g.createdAt)}</time>
      </td>
      <td data-label="Account">
        {accountName && <span className="cell-main">{accountName}</span>}
        {g.accountId ? <span className="cell-sub mono">{g.accountId}</span> : <span className="muted">—</span>}
      </td>
      <td data-label="Role">{role ? <span className="cell-main">{role}</span> : <span className="muted">—</span>}</td>
      <td data-label="Kind">{KIND_LABEL[g.kind]}</td>
      <td data-label="Status">
        <StatusBadge status={g.status} />
        {until && <span className="cell-sub">active until {until}</span>}
        {g.error && <span className="cell-sub cell-sub--error">{g.error}</span>}
      </td>
      <td data-label="Duration">{g.durationSeconds ? formatDuration(g.durationSeconds) : <span className="muted">—</span>}</td>
      <td data-label="Reason" className="cell-reason">
        {g.reason ? g.reason : <span className="muted">—</span>}
      </td>
    </tr>
  );
}
