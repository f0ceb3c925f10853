import { useMemo } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { AdminChange } from '@rolegate/contract';
import { useAdminChanges } from '../hooks/useAdmin';
import { DataTable, type tableFeaturesNone } from '../components/DataTable';
import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { Spinner } from '../components/Spinner';
import { formatDateTime, roleNameFromArn } from '../format';
import { Breakable } from '../components/Breakable';
import { FieldChanges } from './FieldChanges';

const helper = createColumnHelper<typeof tableFeaturesNone, AdminChange>();

const ACTION_LABEL: Record<AdminChange['action'], string> = {
  create: 'Created',
  update: 'Changed',
  delete: 'Deleted',
  'cut-off': 'Cut off',
  revoke: 'Revoked',
};
const ACTION_BADGE: Record<AdminChange['action'], string> = {
  create: 'badge--issued',
  update: 'badge--pending',
  delete: 'badge--denied',
  'cut-off': 'badge--denied',
  revoke: 'badge--denied',
};

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** "engineers → Developer (111111111111)" or "account 111111111111 “sandbox”". */
function subject(c: AdminChange): { title: string; sub: string } {
  const rec = c.after ?? c.before ?? {};
  if (c.entity === 'account') return { title: `Account ${str(rec.name) ?? ''}`.trim(), sub: c.entityId };
  if (c.entity === 'user') return { title: `Person ${str(rec.email) ?? ''}`.trim(), sub: c.entityId };
  if (c.entity === 'cli-token') return { title: `CLI token of ${str(rec.email) ?? '?'}`, sub: c.entityId };
  const arn = str(rec.roleArn) ?? null;
  return { title: `${str(rec.group) ?? '?'} → ${roleNameFromArn(arn) ?? '?'}`, sub: arn ?? c.entityId };
}

const columns = [
  helper.accessor('createdAt', { header: 'When', cell: (c) => <time dateTime={c.getValue()}>{formatDateTime(c.getValue())}</time> }),
  helper.accessor((c) => c.actor.email, {
    id: 'actor',
    header: 'Who',
    cell: (c) => {
      const source = c.row.original.source;
      return source ? (
        <>
          <span className="cell-main">{c.getValue()}</span>
          <span className="cell-sub mono break" title={`${source.file} sha256:${source.sha256}`}>
            sha256:{source.sha256.slice(0, 12)}
          </span>
        </>
      ) : (
        c.getValue()
      );
    },
  }),
  helper.accessor('action', {
    header: 'Action',
    cell: (c) => <span className={`badge ${ACTION_BADGE[c.getValue()]}`}>{ACTION_LABEL[c.getValue()]}</span>,
  }),
  helper.display({
    id: 'what',
    header: 'What',
    cell: (c) => {
      const s = subject(c.row.original);
      return (
        <>
          <span className="cell-main">{s.title}</span>
          <span className="cell-sub mono break">
            <Breakable text={s.sub} />
          </span>
        </>
      );
    },
  }),
  helper.display({
    id: 'changes',
    header: 'Before → after',
    cell: (c) => {
      const { action, before, after } = c.row.original;
      if (action === 'delete') return <span className="muted">Removed (last state kept in this entry)</span>;
      if (action === 'create' || action === 'cut-off' || action === 'revoke') return <FieldChanges before={null} after={after} />;
      return <FieldChanges before={before} after={after} />;
    },
  }),
];

/** Admin: the append-only log of changes to accounts and mappings, newest first. */
export function ChangeHistoryPanel() {
  const changes = useAdminChanges();
  const data = useMemo(() => changes.data ?? [], [changes.data]);

  return (
    <section className="card section" aria-labelledby="changes-title">
      <header className="section__header">
        <div>
          <h2 id="changes-title" className="section-title">
            Change history
          </h2>
          <p className="section-lead">Append-only: entries are never edited or removed. Imports appear as one entry per change.</p>
        </div>
        <button type="button" className="btn btn--secondary btn--sm" onClick={() => void changes.refetch()} disabled={changes.isFetching}>
          {changes.isFetching && !changes.isPending && <Spinner />}
          Refresh
        </button>
      </header>

      {changes.isPending && <SkeletonList rows={4} label="Loading the change history…" />}
      {changes.isError && (
        <ErrorNotice
          title="The change history could not be loaded"
          error={changes.error}
          onRetry={() => void changes.refetch()}
          retrying={changes.isFetching}
        />
      )}
      {changes.isSuccess && data.length === 0 && (
        <EmptyState title="No changes yet">
          <p>Creating, editing, disabling, deleting or importing mappings is recorded here.</p>
        </EmptyState>
      )}
      {changes.isSuccess && data.length > 0 && (
        <>
          <DataTable
            columns={columns}
            data={data}
            caption="Changes to accounts and mappings, newest first"
            getRowId={(c) => c.id}
            testId="changes-table"
            className="table--changes"
          />
          {changes.hasNextPage && (
            <div className="history__more">
              <button type="button" className="btn btn--secondary" onClick={() => void changes.fetchNextPage()} disabled={changes.isFetchingNextPage}>
                {changes.isFetchingNextPage && <Spinner />}
                {changes.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
