import type { RequestStatusName } from '@rolegate/contract';

const LABEL: Record<RequestStatusName, string> = {
  pending: 'Waiting for approval',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  cancelled: 'Cancelled',
  ended: 'Ended',
  revoked: 'Revoked',
};
const LOOK: Record<RequestStatusName, string> = {
  pending: 'pending',
  approved: 'issued',
  denied: 'denied',
  expired: 'revoked',
  cancelled: 'revoked',
  ended: 'revoked',
  revoked: 'revoked',
};

/** A request's status in words (colours borrowed from the grant badges). */
export function RequestStatusBadge({ status }: { status: RequestStatusName }) {
  return (
    <span className={`badge badge--${LOOK[status]}`} data-status={status}>
      {LABEL[status]}
    </span>
  );
}
