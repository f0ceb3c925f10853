import type { FieldError as RhfFieldError } from 'react-hook-form';

/** The inline message under a field; referenced by the input's aria-describedby. */
export function FieldError({ id, error }: { id: string; error: RhfFieldError | undefined }) {
  if (!error?.message) return null;
  return (
    <p id={id} className="field__error" role="alert">
      {error.message}
    </p>
  );
}
