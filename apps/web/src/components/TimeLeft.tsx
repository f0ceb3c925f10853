import { formatCountdown, formatTimeWithZone } from '../format';
import { useNow } from '../hooks/useNow';

/** When an active grant or credential set ends, in local time, and how long is left, counting down live. */
export function TimeLeft({ expiresAt, testId }: { expiresAt: string; testId?: string }) {
  const now = useNow(1000);
  const left = Math.floor((new Date(expiresAt).getTime() - now) / 1000);
  const end = <time dateTime={expiresAt}>{formatTimeWithZone(expiresAt)}</time>;
  if (!Number.isFinite(left)) return null;
  return (
    <span className="time-left" data-testid={testId}>
      {left > 0 ? (
        <>
          ends {end} · <span data-testid={testId ? `${testId}-remaining` : undefined}>{formatCountdown(left)}</span> left
        </>
      ) : (
        <>ended at {end}</>
      )}
    </span>
  );
}
