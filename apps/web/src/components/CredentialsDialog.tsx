import { useEffect, useRef } from 'react';
import type { AwsCredentials } from '@rolegate/contract';
import { credentialProcessJson, shellExports } from '../credentials';
import { formatDateTime } from '../format';
import { TimeLeft } from './TimeLeft';
import { CopyBlock } from './CopyBlock';

interface Props {
  credentials: AwsCredentials;
  title: string;
  accountId: string;
  onClose: () => void;
}

/**
 * Modal showing temporary CLI credentials once. A native <dialog> gives focus
 * trapping and Escape-to-close; closing hands control back so the parent can
 * drop the secrets from state.
 */
export function CredentialsDialog({ credentials, title, accountId, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    // No cleanup that calls close(): its async 'close' event would drop the
    // credentials during React's StrictMode effect replay. Unmounting removes
    // the dialog from the top layer anyway.
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  // close() fires the dialog's 'close' event, the single path to onClose.
  const close = () => ref.current?.close();

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="credentials-title" data-testid="credentials-panel" onClose={onClose}>
      <div className="dialog__header">
        <div>
          <h2 id="credentials-title" className="dialog__title">
            CLI credentials
          </h2>
          <p className="dialog__subtitle">
            {title} <span className="account__id">{accountId}</span>
          </p>
        </div>
        <button type="button" className="btn btn--ghost btn--icon" aria-label="Close" onClick={close}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
        </button>
      </div>

      <p className="dialog__expiry" data-testid="credentials-expiry">
        Expires <time dateTime={credentials.expiration}>{formatDateTime(credentials.expiration)}</time>
        <span className="dialog__expiry-left">
          {' '}
          (<TimeLeft expiresAt={credentials.expiration} testId="credentials-time-left" />)
        </span>
      </p>

      <CopyBlock
        label="Shell (bash, zsh)"
        hint="Paste into a terminal to use these credentials in that session."
        text={shellExports(credentials)}
        testId="copy-shell"
      />
      <CopyBlock
        label="credential_process JSON"
        hint="The output format the AWS CLI and SDKs expect from a credential_process command."
        text={credentialProcessJson(credentials)}
        testId="copy-credential-process"
      />

      <p className="dialog__warning">These credentials are shown only once and are not stored by this page. Closing this window removes them.</p>
      <div className="dialog__footer">
        <button type="button" className="btn btn--primary" onClick={close} data-testid="credentials-close">
          Done
        </button>
      </div>
    </dialog>
  );
}
