import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { AdminAccount } from '@rolegate/contract';
import { ApiError, errorMessage } from '../api';
import { useDeleteAccount, useRenameAccount } from '../hooks/useAdmin';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Spinner } from '../components/Spinner';
import { FieldError } from './FieldError';

/** Inline rename of one account's friendly name. */
function RenameForm({ account, onDone }: { account: AdminAccount; onDone: () => void }) {
  const id = useId();
  const rename = useRenameAccount();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm({ defaultValues: { name: account.name } });

  async function onSubmit({ name }: { name: string }) {
    try {
      await rename.mutateAsync({ id: account.id, name: name.trim() });
      onDone();
    } catch (err) {
      const issue = err instanceof ApiError ? err.issues.find((i) => i.path === 'name') : undefined;
      setError('name', { type: 'server', message: issue?.message ?? errorMessage(err) });
    }
  }

  return (
    <form className="rename" onSubmit={(e) => void handleSubmit(onSubmit)(e)} noValidate>
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
      <button type="submit" className="btn btn--primary btn--sm" disabled={isSubmitting}>
        {isSubmitting && <Spinner />}Save
      </button>
      <button type="button" className="btn btn--ghost btn--sm" onClick={onDone}>
        Cancel
      </button>
      <FieldError id={`${id}-error`} error={errors.name} />
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
          <p className="section-lead">Friendly names shown in the portal. A new account is added when a mapping first uses it.</p>
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
                <RenameForm account={a} onDone={() => setEditing(null)} />
              ) : (
                <>
                  <span className="account-item__name">{a.name}</span>
                  <span className="muted account-item__count">
                    {a.mappingCount} {a.mappingCount === 1 ? 'mapping' : 'mappings'}
                  </span>
                  {!readOnly && (
                    <button type="button" className="btn btn--link btn--sm" onClick={() => setEditing(a.id)} aria-label={`Rename account ${a.id} (${a.name})`}>
                      Rename
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
