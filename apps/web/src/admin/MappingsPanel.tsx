import { useId, useMemo, useRef, useState } from 'react';
import type { AdminMapping } from '@rolegate/contract';
import { errorMessage, MAPPINGS_EXPORT_URL } from '../api';
import {
  useAdminAccounts,
  useAdminMappings,
  useCheckMapping,
  useDeleteMapping,
  useMappingChecks,
  useMappingsManagedBy,
  useUpdateMapping,
} from '../hooks/useAdmin';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { AccountsSection } from './AccountsSection';
import { ImportPanel } from './ImportPanel';
import { MappingForm } from './MappingForm';
import { MappingsTable, type MappingActions } from './MappingsTable';
import { TrustPolicyView } from './TrustPolicyView';

type View = { kind: 'list' } | { kind: 'new' } | { kind: 'edit'; mapping: AdminMapping } | { kind: 'trust'; mapping: AdminMapping } | { kind: 'import' };

const byGroupThenRole = (a: AdminMapping, b: AdminMapping) =>
  a.group.localeCompare(b.group) || a.accountName.localeCompare(b.accountName) || a.roleName.localeCompare(b.roleName);

/** Admin: the group → role mappings, their accounts, and the create / edit / import / trust-policy views. */
export function MappingsPanel() {
  const filterId = useId();
  const mappings = useAdminMappings();
  const managedBy = useMappingsManagedBy().data ?? null;
  const accounts = useAdminAccounts();
  const toggle = useUpdateMapping();
  const remove = useDeleteMapping();
  const checks = useMappingChecks();
  const checkNow = useCheckMapping();
  const [view, setView] = useState<View>({ kind: 'list' });
  const [filter, setFilter] = useState('');
  const [deleting, setDeleting] = useState<AdminMapping | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);

  const actions = useMemo<MappingActions>(
    () => ({
      edit: (mapping) => setView({ kind: 'edit', mapping }),
      trustPolicy: (mapping) => setView({ kind: 'trust', mapping }),
      toggle: (m) => {
        setProblem(null);
        toggle.mutate(
          { id: m.id, body: { enabled: !m.enabled } },
          {
            onSuccess: () => setMessage(`${m.group} → ${m.roleName} ${m.enabled ? 'disabled' : 'enabled'}.`),
            onError: (err) => setProblem(errorMessage(err)),
          },
        );
      },
      remove: (m) => {
        remove.reset();
        setDeleting(m);
      },
      check: (m) => {
        setProblem(null);
        checkNow.mutate(m.id, { onError: (err) => setProblem(errorMessage(err)) });
      },
      checks: checks.data ?? new Map(),
      checkingId: checkNow.isPending ? checkNow.variables : null,
      busyId: toggle.isPending ? toggle.variables.id : null,
      readOnly: managedBy !== null,
    }),
    // `mutate` and `reset` are stable; only the in-flight ids and the checks change what the table shows.
    [toggle.isPending, toggle.variables?.id, managedBy, checks.data, checkNow.isPending, checkNow.variables],
  );

  function backToList(msg?: string) {
    setView({ kind: 'list' });
    setMessage(msg ?? null);
    setProblem(null);
    // After React renders the list again.
    window.setTimeout(() => listHeading.current?.focus(), 0);
  }

  if (view.kind === 'new' || view.kind === 'edit') {
    return (
      <MappingForm
        mapping={view.kind === 'edit' ? view.mapping : undefined}
        accounts={accounts.data ?? []}
        onDone={(saved) => backToList(saved ? `Saved ${saved.group} → ${saved.roleName}.` : undefined)}
      />
    );
  }
  if (view.kind === 'trust') return <TrustPolicyView mapping={view.mapping} onClose={() => backToList()} />;
  if (view.kind === 'import') return <ImportPanel onClose={() => backToList()} />;

  const needle = filter.trim().toLowerCase();
  const shown = (mappings.data ?? [])
    .filter((m) => needle === '' || [m.group, m.roleArn, m.accountName, m.accountId, m.description].some((v) => v.toLowerCase().includes(needle)))
    .sort(byGroupThenRole);

  return (
    <div className="stack">
      <section className="card section" aria-labelledby="mappings-title">
        <header className="section__header">
          <div>
            <h2 id="mappings-title" className="section-title" ref={listHeading} tabIndex={-1}>
              Mappings
            </h2>
            <p className="section-lead">Disabled mappings grant nothing. Deleting removes the mapping; its history stays in the change log.</p>
          </div>
          <div className="toolbar">
            <a className="btn btn--secondary btn--sm" href={MAPPINGS_EXPORT_URL} download="rolegate-mappings.yaml" data-testid="mappings-export">
              Export YAML
            </a>
            {managedBy === null && (
              <>
                <button type="button" className="btn btn--secondary btn--sm" onClick={() => setView({ kind: 'import' })} data-testid="mappings-import">
                  Import YAML
                </button>
                <button type="button" className="btn btn--primary btn--sm" onClick={() => setView({ kind: 'new' })} data-testid="mapping-new">
                  New mapping
                </button>
              </>
            )}
          </div>
        </header>
        {managedBy !== null && (
          <div className="notice notice--info" role="note" data-testid="mappings-managed-by">
            <span className="notice__message">
              Managed by <span className="mono">{managedBy}</span>. The file is the source of truth: change it and reload Rolegate (SIGHUP or restart). Edits
              here are refused.
            </span>
          </div>
        )}

        <div aria-live="polite" className="live">
          {message && (
            <p className="notice notice--success" role="status" data-testid="mappings-message">
              {message}
            </p>
          )}
        </div>
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}

        {mappings.isPending && <SkeletonList rows={4} label="Loading mappings…" />}
        {mappings.isError && (
          <ErrorNotice title="Mappings could not be loaded" error={mappings.error} onRetry={() => void mappings.refetch()} retrying={mappings.isFetching} />
        )}
        {mappings.isSuccess && mappings.data.length === 0 && (
          <EmptyState title="No mappings yet">
            <p>Create one to let a group use an AWS role, or import a YAML file.</p>
          </EmptyState>
        )}
        {mappings.isSuccess && mappings.data.length > 0 && (
          <>
            <div className="filter-row">
              <label htmlFor={filterId} className="field__label">
                Show only
              </label>
              <input
                id={filterId}
                className="input input--search"
                type="search"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                placeholder="group, role, account…"
                data-testid="mappings-filter"
              />
              <span className="muted filter-row__count" aria-live="polite">
                {shown.length} of {mappings.data.length}
              </span>
            </div>
            {shown.length === 0 ? (
              <EmptyState title="No mapping matches">
                <p>Clear the box to see all mappings.</p>
              </EmptyState>
            ) : (
              <MappingsTable mappings={shown} actions={actions} />
            )}
          </>
        )}
      </section>

      {accounts.isPending && <SkeletonList rows={1} label="Loading accounts…" />}
      {accounts.isError && (
        <ErrorNotice title="Accounts could not be loaded" error={accounts.error} onRetry={() => void accounts.refetch()} retrying={accounts.isFetching} />
      )}
      {accounts.isSuccess && <AccountsSection accounts={accounts.data} readOnly={managedBy !== null} />}

      {deleting && (
        <ConfirmDialog
          title="Delete this mapping?"
          confirmLabel={remove.isPending ? 'Deleting…' : 'Delete mapping'}
          busy={remove.isPending}
          error={remove.isError ? errorMessage(remove.error) : undefined}
          testId="delete-dialog"
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                setMessage(`Deleted ${deleting.group} → ${deleting.roleName}.`);
                setDeleting(null);
              },
            })
          }
        >
          <p>
            Members of <span className="mono">{deleting.group}</span> will no longer be able to request <strong>{deleting.roleName}</strong> in{' '}
            {deleting.accountName}. Sessions already issued run until they expire. To pause access instead, disable the mapping.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
