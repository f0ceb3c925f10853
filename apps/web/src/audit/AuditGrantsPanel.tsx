import { useMemo } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { Grant } from '@rolegate/contract';
import { auditExportUrl } from '../api';
import { useAuditGrants } from '../hooks/useAudit';
import { DataTable, type tableFeaturesNone } from '../components/DataTable';
import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { Spinner } from '../components/Spinner';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime, formatDuration, roleNameFromArn } from '../format';
import { AuditFilterForm } from './AuditFilterForm';
import { ReasonText } from '../components/ReasonText';
import { activeFilterCount, filtersFromSearch, searchFromFilters, toApiFilters } from './filters';

const helper = createColumnHelper<typeof tableFeaturesNone, Grant>();
const none = <span className="muted">—</span>;

interface Props {
  search: string;
  onSearchChange: (search: string) => void;
  onOpen: (grantId: string) => void;
}

/** Auditor: grant history with exact filters, keyset paging, CSV / NDJSON export, and a link to each grant's detail. */
export function AuditGrantsPanel({ search, onSearchChange, onOpen }: Props) {
  const values = useMemo(() => filtersFromSearch(search), [search]);
  const filters = useMemo(() => toApiFilters(values), [values]);
  const grants = useAuditGrants(filters);
  const data = useMemo(() => grants.data?.pages.flatMap((p) => p.items) ?? [], [grants.data]);
  const count = activeFilterCount(values);

  const columns = useMemo(
    () => [
      helper.accessor('createdAt', {
        header: 'Time',
        cell: (c) => (
          <a
            href={`/audit/grants/${encodeURIComponent(c.row.original.id)}`}
            className="link"
            data-testid={`open-grant-${c.row.original.id}`}
            onClick={(e) => {
              if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
              e.preventDefault();
              onOpen(c.row.original.id);
            }}
          >
            <time dateTime={c.getValue()}>{formatDateTime(c.getValue())}</time>
          </a>
        ),
      }),
      helper.accessor((g) => g.user.email, { id: 'user', header: 'User', cell: (c) => <span className="break">{c.getValue()}</span> }),
      helper.accessor('roleArn', {
        header: 'Role',
        cell: (c) => {
          const arn = c.getValue();
          return arn ? (
            <>
              <span className="cell-main">{roleNameFromArn(arn)}</span>
              <span className="cell-sub mono">{c.row.original.accountId}</span>
            </>
          ) : (
            <>
              {none}
              {c.row.original.accountId && <span className="cell-sub mono">{c.row.original.accountId}</span>}
            </>
          );
        },
      }),
      helper.accessor('kind', { header: 'Kind', cell: (c) => (c.getValue() === 'cli' ? 'CLI' : 'Console') }),
      helper.accessor('status', {
        header: 'Status',
        cell: (c) => (
          <>
            <StatusBadge status={c.getValue()} />
            {c.row.original.error && <span className="cell-sub cell-sub--error">{c.row.original.error}</span>}
            {c.row.original.requestId && (
              <a className="cell-sub mono" href={`/requests/${c.row.original.requestId}`} data-testid={`grant-request-${c.row.original.id}`}>
                request {c.row.original.requestId.slice(0, 8)}
              </a>
            )}
          </>
        ),
      }),
      helper.accessor('durationSeconds', { header: 'Duration', cell: (c) => (c.getValue() ? formatDuration(c.getValue()!) : none) }),
      helper.accessor('reason', {
        header: 'Reason',
        cell: (c) => {
          const reason = c.getValue();
          return reason ? <ReasonText text={reason} testId={`reason-${c.row.original.id}`} /> : <span className="cell-reason-text">{none}</span>;
        },
      }),
    ],
    [onOpen],
  );

  return (
    <div className="stack">
      <section className="card section" aria-labelledby="audit-filter-title">
        <header className="section__header">
          <div>
            <h2 id="audit-filter-title" className="section-title">
              Filters
            </h2>
            <p className="section-lead">Exact matches only: “bob@example.com” never finds “bobby@example.com”.</p>
          </div>
        </header>
        <AuditFilterForm values={values} onApply={(v) => onSearchChange(searchFromFilters(v))} />
      </section>

      <section className="card section" aria-labelledby="audit-results-title">
        <header className="section__header">
          <div>
            <h2 id="audit-results-title" className="section-title">
              Grants
            </h2>
            <p className="section-lead" aria-live="polite">
              {count === 0 ? 'All grants, newest first.' : `Matching ${count} ${count === 1 ? 'filter' : 'filters'}, newest first.`} Issued, denied and failed
              attempts.
            </p>
          </div>
          <div className="toolbar">
            <a className="btn btn--secondary btn--sm" href={auditExportUrl('csv', filters)} download data-testid="export-csv">
              Download CSV
            </a>
            <a className="btn btn--secondary btn--sm" href={auditExportUrl('ndjson', filters)} download data-testid="export-ndjson">
              Download NDJSON
            </a>
            <button type="button" className="btn btn--secondary btn--sm" onClick={() => void grants.refetch()} disabled={grants.isFetching}>
              {grants.isFetching && !grants.isPending && !grants.isFetchingNextPage && <Spinner />}
              Refresh
            </button>
          </div>
        </header>

        {grants.isPending && <SkeletonList rows={5} label="Loading grants…" />}
        {grants.isError && (
          <ErrorNotice title="Grants could not be loaded" error={grants.error} onRetry={() => void grants.refetch()} retrying={grants.isFetching} />
        )}
        {grants.isSuccess && data.length === 0 && (
          <EmptyState title={count === 0 ? 'No grants recorded yet' : 'No grant matches these filters'}>
            <p>
              {count === 0
                ? 'Every console or CLI request will appear here.'
                : 'Filters match exactly: check the spelling of the email or ARN, or widen the dates.'}
            </p>
          </EmptyState>
        )}
        {grants.isSuccess && data.length > 0 && (
          <div className={grants.isPlaceholderData ? 'is-stale' : undefined} aria-busy={grants.isPlaceholderData}>
            <DataTable
              columns={columns}
              data={data}
              caption="Grants matching the filters, newest first"
              getRowId={(g) => g.id}
              testId="audit-table"
              rowTestId={(g) => `audit-grant-${g.id}`}
              className="table--audit"
            />
            {grants.hasNextPage && (
              <div className="history__more">
                <button type="button" className="btn btn--secondary" onClick={() => void grants.fetchNextPage()} disabled={grants.isFetchingNextPage}>
                  {grants.isFetchingNextPage && <Spinner />}
                  {grants.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              </div>
            )}
          </div>
        )}
      </section>
    </div>
  );
}
