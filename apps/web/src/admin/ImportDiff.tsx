import type { ImportResult, MappingSpec } from '@rolegate/contract';
import { formatDuration, roleNameFromArn } from '../format';
import { Breakable } from '../components/Breakable';
import { FieldChanges } from './FieldChanges';

function Spec({ m }: { m: MappingSpec }) {
  return (
    <>
      <span className="mono">{m.group}</span> → <strong>{roleNameFromArn(m.roleArn)}</strong>
      <span className="cell-sub mono break">
        <Breakable text={m.roleArn} />
      </span>
      <span className="cell-sub">
        up to {formatDuration(m.maxDurationSeconds)}
        {m.requireReason ? ' · reason required' : ''}
        {m.enabled ? '' : ' · disabled'}
      </span>
    </>
  );
}

/** What an import would do (dry run) or did: mappings created, changed, deleted; accounts created or renamed. */
export function ImportDiff({ result }: { result: ImportResult }) {
  const { created, updated, deleted, unchanged, accounts } = result;
  const nothing = created.length + updated.length + deleted.length + accounts.created.length + accounts.updated.length === 0;
  return (
    <div className="diff" data-testid="import-diff">
      <p className="diff__summary" data-testid="import-summary">
        <span className="diff__count diff__count--add">{created.length} to create</span>
        <span className="diff__count diff__count--change">{updated.length} to change</span>
        <span className="diff__count diff__count--remove">{deleted.length} to delete</span>
        <span className="diff__count">{unchanged} unchanged</span>
        {(accounts.created.length > 0 || accounts.updated.length > 0) && (
          <span className="diff__count">
            accounts: {accounts.created.length} new, {accounts.updated.length} renamed
          </span>
        )}
      </p>
      {nothing && <p className="muted">The file matches the current mappings: importing it changes nothing.</p>}
      <ul className="diff__list">
        {accounts.created.map((a) => (
          <li key={`a+${a.id}`} className="diff__item diff__item--add">
            <span className="diff__sign" aria-label="New account">
              +
            </span>
            <span>
              Account <span className="mono">{a.id}</span> “{a.name}”
            </span>
          </li>
        ))}
        {accounts.updated.map((a) => (
          <li key={`a~${a.after.id}`} className="diff__item diff__item--change">
            <span className="diff__sign" aria-label="Renamed account">
              ~
            </span>
            <span>
              Account <span className="mono">{a.after.id}</span>: “{a.before.name}” → “{a.after.name}”
            </span>
          </li>
        ))}
        {created.map((m) => (
          <li key={`+${m.group}\u0000${m.roleArn}`} className="diff__item diff__item--add">
            <span className="diff__sign" aria-label="Create">
              +
            </span>
            <span>
              <Spec m={m} />
            </span>
          </li>
        ))}
        {updated.map((u) => (
          <li key={`~${u.id}`} className="diff__item diff__item--change">
            <span className="diff__sign" aria-label="Change">
              ~
            </span>
            <span>
              <span className="mono">{u.after.group}</span> → <strong>{roleNameFromArn(u.after.roleArn)}</strong>
              <FieldChanges before={u.before} after={u.after} />
            </span>
          </li>
        ))}
        {deleted.map((m) => (
          <li key={`-${m.id}`} className="diff__item diff__item--remove">
            <span className="diff__sign" aria-label="Delete">
              −
            </span>
            <span>
              <Spec m={m} />
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
