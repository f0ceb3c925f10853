/** What a request change announces (the `type` of a webhook payload). */
export type NotificationType =
  | 'request.created'
  | 'request.break_glass'
  | 'request.approved'
  | 'request.extended'
  | 'request.denied'
  | 'request.cancelled'
  | 'request.ended'
  | 'request.expired'
  | 'request.escalated'
  | 'review.closed'
  | 'review.overdue';

/** Every notification type, for validating routing configuration. */
export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  'request.created',
  'request.break_glass',
  'request.approved',
  'request.extended',
  'request.denied',
  'request.cancelled',
  'request.ended',
  'request.expired',
  'request.escalated',
  'review.closed',
  'review.overdue',
];

/**
 * The notification a request event announces, or null. A partial approval
 * (quorum not met yet) announces nothing; the approval that completes it
 * announces `request.approved`.
 */
export function notificationFor(eventType: string, statusAfter: string): NotificationType | null {
  switch (eventType) {
    case 'requested':
      return 'request.created';
    case 'break-glass':
      return 'request.break_glass';
    case 'approved':
      return statusAfter === 'approved' ? 'request.approved' : null;
    case 'extended':
      return 'request.extended';
    case 'denied':
      return 'request.denied';
    case 'cancelled':
      return 'request.cancelled';
    case 'ended':
      return 'request.ended';
    case 'expired':
      return 'request.expired';
    case 'escalated':
      return 'request.escalated';
    case 'review-closed':
      return 'review.closed';
    case 'review-overdue':
      return 'review.overdue';
    default:
      return null;
  }
}

/**
 * When a failed delivery is tried again: exponential from `baseMs`, capped
 * at `maxMs`, with up to 20 % jitter so replicas do not retry in step.
 */
export function retryDelayMs(attempts: number, opts: { baseMs: number; maxMs: number }, random = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (1 + 0.2 * random()));
}
