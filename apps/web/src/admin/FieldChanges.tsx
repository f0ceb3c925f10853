import { changedFields, fieldLabel, showValue } from './diff';

/** "field: before → after" lines for the fields that changed. */
export function FieldChanges({ before, after }: { before: Record<string, unknown> | null; after: Record<string, unknown> | null }) {
  const changes = changedFields(before, after);
  if (changes.length === 0) return <span className="muted">No field changed</span>;
  return (
    <dl className="changes">
      {changes.map((c) => (
        <div key={c.field} className="changes__row">
          <dt>{fieldLabel(c.field)}</dt>
          <dd>
            {before !== null && (
              <>
                <del className="changes__before">{showValue(c.before)}</del>
                <span aria-hidden="true"> → </span>
                <span className="visually-hidden"> changed to </span>
              </>
            )}
            <ins className="changes__after">{after === null ? '(deleted)' : showValue(c.after)}</ins>
          </dd>
        </div>
      ))}
    </dl>
  );
}
