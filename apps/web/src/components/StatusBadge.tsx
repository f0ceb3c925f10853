import type { GrantStatus } from '@rolegate/contract';

const LABEL: Record<GrantStatus, string> = {
  pending: 'Pending',
  issued: 'Issued',
  failed: 'Failed',
  denied: 'Denied',
  revoked: 'Revoked',
  abandoned: 'Abandoned',
};

export function StatusBadge({ status }: { status: GrantStatus }) {
  return (
    <span className={`badge badge--${status}`} data-status={status}>
      {LABEL[status]}
    </span>
  );
}
