import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { AdminAccount } from '@rolegate/contract';
import { ApiError, errorMessage } from '../api';
import { useDeleteAccount, useRenameAccount } from '../hooks/useAdmin';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Spinner } from '../components/Spinner';
import { FieldError } from '../components/FieldError';

const CONTROL_ROLE_ARN = /^arn:aws(-us-gov|-cn)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Inline edit of one account: its friendly name and its control role (the role the broker assumes there for IAM). */
function AccountForm({ account, onDone }: { account: AdminAccount; onDone: () => void }) {
  const id = useId();
  const save = useRenameAccount();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm({ defaultValues: { name: account.name, controlRoleArn: account.controlRoleArn ?? '' } });

  async function onSubmit({ name, controlRoleArn }: { name: string; controlRoleArn: string }) {
    try {
      await save.mutateAsync({ id: account.id, name: name.trim(), controlRoleArn: controlRoleArn.trim() === '' ? null : controlRoleArn.trim() });
      onDone();
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      const control = issues.find((i) => i.path === 'controlRoleArn');
      if (control) setError('controlRoleArn', { type: 'server', message: control.message });
      else setError('name', { type: 'server', message: issues.find((i) => i.path === 'name')?.message ?? errorMessage(err) });
    }
  }

  return (
    <form className="rename" onSubmit={(e) => void handleSubmit(onSubmit)(e)} noValidate data-testid={`account-form-${account.id}`}>
      <label htmlFor={`${id}-name`} className="visually-hidden">
        Name for account {account.id}
      </label>
      <input
        id={`${id}-name`}
        className="input"
        autoFocus
        aria-invalid={errors.name ? true : undefined}
        aria-describedby={errors.name ? `${id}-error` : undefined}
        {...register('name', {
          validate: (v) => (v.trim().length === 0 ? 'Enter a name.' : v.trim().length > 128 ? 'At most 128 characters.' : true),
        })}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
        }}
      />
      <label htmlFor={`${id}-control`} className="visually-hidden">
        Control role ARN for account {account.id}
      </label>
      <input
        id={`${id}-control`}
        className="input mono"
        placeholder={`arn:aws:iam::${account.id}:role/RolegateControl`}
        aria-invalid={errors.controlRoleArn ? true : undefined}
        aria-describedby={errors.controlRoleArn ? `${id}-control-error` : undefined}
        {...register('controlRoleArn', {
          validate: (v) => {
            const t = v.trim();
            if (t === '') return true;
            if (!CONTROL_ROLE_ARN.test(t)) return 'Enter an IAM role ARN (arn:aws:iam::123456789012:role/Name), or leave it empty.';
            return t.split(':')[4] === account.id ? true : `The control role must be a role in account ${account.id}.`;
          },
        })}
      />
      <button type="submit" className="btn btn--primary btn--sm" disabled={isSubmitting}>
        {isSubmitting && <Spinner />}Save
      </button>
      <button type="button" className="btn btn--ghost btn--sm" onClick={onDone}>
        Cancel
      </button>
      <FieldError id={`${id}-error`} error={errors.name} />
      <FieldError id={`${id}-control-error`} error={errors.controlRoleArn} />
    </form>
  );
}

/** AWS accounts with their friendly names; a name is what people see in the portal. */
export function AccountsSection({ accounts, readOnly = false }: { accounts: AdminAccount[]; readOnly?: boolean }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<AdminAccount | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const remove = useDeleteAccount();
  return (
    <section className="card section" aria-labelledby="accounts-title" data-testid="accounts">
      <header className="section__header">
        <div>
          <h2 id="accounts-title" className="section-title">
            Accounts
          </h2>
          <p className="section-lead">
            Friendly names shown in the portal, and each account&apos;s control role: the role Rolegate assumes there to check brokered roles and edit the
            revocation policy. A new account is added when a mapping first uses it.
          </p>
        </div>
      </header>
      {accounts.length === 0 ? (
        <p className="muted">No accounts yet.</p>
      ) : (
        <ul className="account-list">
          {accounts.map((a) => (
            <li key={a.id} className="account-item" data-testid={`account-item-${a.id}`}>
              <span className="account__id">{a.id}</span>
              {editing === a.id ? (
                <AccountForm account={a} onDone={() => setEditing(null)} />
              ) : (
                <>
                  <span className="account-item__name">{a.name}</span>
                  <span className="muted account-item__count">
                    {a.mappingCount} {a.mappingCount === 1 ? 'mapping' : 'mappings'}
                  </span>
                  <span className="muted mono account-item__control" data-testid={`account-control-${a.id}`}>
                    {a.controlRoleArn ? `control role ${a.controlRoleArn}` : 'no control role'}
                  </span>
                  {!readOnly && (
                    <button type="button" className="btn btn--link btn--sm" onClick={() => setEditing(a.id)} aria-label={`Edit account ${a.id} (${a.name})`}>
                      Edit
                    </button>
                  )}
                  {!readOnly && a.mappingCount === 0 && (
                    <button
                      type="button"
                      className="btn btn--danger-ghost btn--sm"
                      onClick={() => {
                        remove.reset();
                        setDeleting(a);
                      }}
                      aria-label={`Delete account ${a.id} (${a.name})`}
                      data-testid={`delete-account-${a.id}`}
                    >
                      Delete
                    </button>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {message && (
        <p className="muted" role="status" data-testid="accounts-message">
          {message}
        </p>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this account?"
          confirmLabel={remove.isPending ? 'Deleting…' : 'Delete account'}
          busy={remove.isPending}
          error={remove.isError ? errorMessage(remove.error) : undefined}
          testId="delete-account-dialog"
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setMessage(`Deleted account ${deleting.id} (${deleting.name}).`);
                setDeleting(null);
              },
            })
          }
        >
          <p>
            {deleting.name} ({deleting.id}) has no mappings. Deleting it removes its friendly name; the change is recorded in the change history. A mapping that
            uses this account later adds it again.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
