import { useId } from 'react';
import { durationOptions, formatDuration } from '../format';

interface Props {
  testId: string;
  maxDurationSeconds: number;
  value: number | undefined;
  onChange: (seconds: number) => void;
  disabled?: boolean;
  /** Shortest choice shown (access windows start at 20 minutes). */
  minSeconds?: number;
  label?: string;
}

/** Session length, limited to the choices not above the role's maximum. */
export function DurationSelect({ testId, maxDurationSeconds, value, onChange, disabled, minSeconds = 0, label = 'Duration' }: Props) {
  const id = useId();
  const options = durationOptions(maxDurationSeconds).filter((d) => d >= minSeconds);
  return (
    <div className="field field--duration">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {options.length === 0 ? (
        <p className="field__note">No session length fits this role's maximum.</p>
      ) : (
        <select id={id} className="select" data-testid={testId} value={value} disabled={disabled} onChange={(event) => onChange(Number(event.target.value))}>
          {options.map((seconds) => (
            <option key={seconds} value={seconds}>
              {formatDuration(seconds)}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
