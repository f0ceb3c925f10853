import { errorMessage } from '../api';
import { Spinner } from './Spinner';

interface Props {
  title: string;
  error: unknown;
  onRetry?: () => void;
  retrying?: boolean;
}

/** An error box with the server's message and an optional retry button. */
export function ErrorNotice({ title, error, onRetry, retrying = false }: Props) {
  return (
    <div className="notice notice--error" role="alert">
      <div className="notice__text">
        <p className="notice__title">{title}</p>
        <p className="notice__message">{errorMessage(error)}</p>
      </div>
      {onRetry && (
        <button type="button" className="btn btn--secondary btn--sm" onClick={onRetry} disabled={retrying}>
          {retrying && <Spinner />}
          {retrying ? 'Retrying…' : 'Try again'}
        </button>
      )}
    </div>
  );
}
