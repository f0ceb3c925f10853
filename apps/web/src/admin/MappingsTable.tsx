import { useMemo } from 'react';
import { createColumnHelper } from '@tanstack/react-table';
import type { AdminMapping, MappingCheck } from '@rolegate/contract';
import { MappingCheckCell } from './MappingCheckCell';
import { DataTable, type tableFeaturesNone } from '../components/DataTable';
import { formatDuration } from '../format';
import { Breakable } from '../components/Breakable';

const helper = createColumnHelper<typeof tableFeaturesNone, AdminMapping>();

export interface MappingActions {
  edit: (m: AdminMapping) => void;
  trustPolicy: (m: AdminMapping) => void;
  toggle: (m: AdminMapping) => void;
  remove: (m: AdminMapping) => void;
  /** Checks the mapping's role now (trust policy, MaxSessionDuration, revocation policy). */
  check: (m: AdminMapping) => void;
  /** Latest role check per mapping id. */
  checks: ReadonlyMap<string, MappingCheck>;
  /** The mapping whose check is in flight. */
  checkingId: string | null;
  /** The mapping whose enable/disable is in flight. */
  busyId: string | null;
  /** MAPPINGS_FILE manages the mappings: only the trust policy is offered. */
  readOnly?: boolean;
}

/** Test-id and element-id suffix for a mapping: `<group>-<accountId>-<roleName>` with unsafe characters replaced. */
export const mappingKey = (m: Pick<AdminMapping, 'group' | 'accountId' | 'roleName'>) => `${m.group}-${m.accountId}-${m.roleName}`.replace(/[^\w.-]/g, '_');

/** The mappings as a table with per-row actions. */
export function MappingsTable({ mappings, actions }: { mappings: AdminMapping[]; actions: MappingActions }) {
  const columns = useMemo(
    () => [
      helper.accessor('group', { header: 'Group', cell: (c) => <span className="cell-main mono">{c.getValue()}</span> }),
      helper.accessor('roleName', {
        header: 'Role',
        cell: (c) => (
          <>
            <span className="cell-main">{c.getValue()}</span>
            <span className="cell-sub mono break">
              <Breakable text={c.row.original.roleArn} />
            </span>
            {c.row.original.description && (
              <span className="cell-sub mapping-description" data-testid={`description-${mappingKey(c.row.original)}`}>
                {c.row.original.description}
              </span>
            )}
          </>
        ),
      }),
      helper.accessor('accountName', {
        header: 'Account',
        cell: (c) => (
          <>
            <span className="cell-main">{c.getValue()}</span>
            <span className="cell-sub mono">{c.row.original.accountId}</span>
          </>
        ),
      }),
      helper.accessor('maxDurationSeconds', { header: 'Max session', cell: (c) => formatDuration(c.getValue()) }),
      helper.display({
        id: 'settings',
        header: 'Settings',
        cell: (c) => {
          const m = c.row.original;
          return (
            <span className="badges">
              <span className={`badge ${m.enabled ? 'badge--issued' : 'badge--revoked'}`}>{m.enabled ? 'Enabled' : 'Disabled'}</span>
              {m.requireReason && <span className="tag">Reason required</span>}
            </span>
          );
        },
      }),
      helper.display({
        id: 'check',
        header: 'AWS set-up',
        cell: (c) => {
          const m = c.row.original;
          return (
            <MappingCheckCell mapping={m} check={actions.checks.get(m.id)} testKey={mappingKey(m)} onCheck={actions.check} busy={actions.checkingId === m.id} />
          );
        },
      }),
      helper.display({
        id: 'actions',
        header: 'Actions',
        cell: (c) => {
          const m = c.row.original;
          const key = mappingKey(m);
          const label = `${m.group} → ${m.roleName}`;
          return (
            <span className="row-actions">
              {!actions.readOnly && (
                <button
                  type="button"
                  className="btn btn--secondary btn--sm"
                  onClick={() => actions.edit(m)}
                  aria-label={`Edit ${label}`}
                  data-testid={`edit-${key}`}
                >
                  Edit
                </button>
              )}
              <button
                type="button"
                className="btn btn--secondary btn--sm"
                onClick={() => actions.trustPolicy(m)}
                aria-label={`Trust policy for ${label}`}
                data-testid={`trust-${key}`}
              >
                Trust policy
              </button>
              {!actions.readOnly && (
                <>
                  <button
                    type="button"
                    className="btn btn--secondary btn--sm"
                    onClick={() => actions.toggle(m)}
                    disabled={actions.busyId === m.id}
                    aria-label={`${m.enabled ? 'Disable' : 'Enable'} ${label}`}
                    data-testid={`toggle-${key}`}
                  >
                    {m.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    type="button"
                    className="btn btn--danger-ghost btn--sm"
                    onClick={() => actions.remove(m)}
                    aria-label={`Delete ${label}`}
                    data-testid={`delete-${key}`}
                  >
                    Delete
                  </button>
                </>
              )}
            </span>
          );
        },
      }),
    ],
    [actions],
  );

  return (
    <DataTable
      columns={columns}
      data={mappings}
      caption="Group to role mappings"
      getRowId={(m) => m.id}
      testId="mappings-table"
      rowTestId={(m) => `mapping-${mappingKey(m)}`}
      className="table--mappings"
    />
  );
}
