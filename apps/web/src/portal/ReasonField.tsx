import { useId } from 'react';

interface Props {
  testId: string;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  describedBy?: string;
}

/** Required free-text justification, recorded with the grant. */
export function ReasonField({ testId, value, onChange, disabled, describedBy }: Props) {
  const id = useId();
  return (
    <div className="field field--reason">
      <label htmlFor={id} className="field__label">
        Reason <span className="field__required">(required)</span>
      </label>
      <input
        id={id}
        className="input"
        type="text"
        data-testid={testId}
        value={value}
        maxLength={1000}
        required
        aria-required="true"
        aria-describedby={value.trim() === '' ? describedBy : undefined}
        placeholder="e.g. INC-1234 investigate failed deploy"
        autoComplete="off"
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      />
    </div>
  );
}
