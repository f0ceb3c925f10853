import { useEffect, useRef, type ReactNode } from 'react';
import { Spinner } from './Spinner';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: ReactNode;
  onConfirm: () => void;
  onClose: () => void;
  testId: string;
}

/** A modal question (native <dialog>: focus trap, Escape cancels). Cancel gets the initial focus. */
export function ConfirmDialog({ title, children, confirmLabel, busy = false, error, onConfirm, onClose, testId }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    cancel.current?.focus();
  }, []);

  return (
    <dialog ref={ref} className="dialog dialog--small" aria-labelledby={`${testId}-title`} data-testid={testId} onClose={onClose}>
      <div className="dialog__header">
        <h2 id={`${testId}-title`} className="dialog__title">
          {title}
        </h2>
      </div>
      <div className="dialog__body">{children}</div>
      {error && (
        <p className="form-error dialog__body" role="alert">
          {error}
        </p>
      )}
      <div className="dialog__footer dialog__footer--split">
        <button type="button" ref={cancel} className="btn btn--secondary" onClick={() => ref.current?.close()} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="btn btn--danger" onClick={onConfirm} disabled={busy} data-testid={`${testId}-confirm`}>
          {busy && <Spinner />}
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
