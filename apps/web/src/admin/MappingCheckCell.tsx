import type { AdminMapping, MappingCheck } from '@rolegate/contract';
import { CopyBlock } from '../components/CopyBlock';
import { formatDateTime } from '../format';

const LABEL: Record<MappingCheck['status'], string> = {
  ok: 'OK',
  problems: 'Problems',
  not_checked: 'Not checked',
  cannot_check: 'Cannot check',
};

const BADGE: Record<MappingCheck['status'], string> = {
  ok: 'badge--issued',
  problems: 'badge--failed',
  not_checked: 'badge--pending',
  cannot_check: 'badge--revoked',
};

/**
 * The latest trust and set-up check of a mapping's role: its status, each
 * finding with its code, the fix to paste, and a button to check it now.
 */
export function MappingCheckCell({
  mapping,
  check,
  testKey,
  onCheck,
  busy,
}: {
  mapping: AdminMapping;
  check: MappingCheck | undefined;
  testKey: string;
  onCheck: (m: AdminMapping) => void;
  busy: boolean;
}) {
  const status = check?.status ?? 'not_checked';
  return (
    <div className="mapping-check" data-testid={`check-${testKey}`} data-status={status}>
      <span className="badges">
        <span className={`badge ${BADGE[status]}`} data-testid={`check-status-${testKey}`}>
          {LABEL[status]}
        </span>
        <button
          type="button"
          className="btn btn--secondary btn--sm"
          onClick={() => onCheck(mapping)}
          disabled={busy}
          aria-label={`Check ${mapping.group} → ${mapping.roleName}`}
          data-testid={`check-now-${testKey}`}
        >
          {busy ? 'Checking…' : 'Check'}
        </button>
      </span>
      {check?.checkedAt && <span className="cell-sub">checked {formatDateTime(check.checkedAt)}</span>}
      {check?.error && <span className="cell-sub form-error">{check.error}</span>}
      {check && check.problems.length > 0 && (
        <>
          <ul className="check-findings">
            {check.problems.map((p) => (
              <li key={`${p.code}-${p.message}`} className={p.severity === 'error' ? 'check-finding check-finding--error' : 'check-finding'}>
                <span className="mono">{p.code}</span> {p.message}
              </li>
            ))}
          </ul>
          {check.fix && (
            <details className="check-fix">
              <summary>Fix to paste</summary>
              <CopyBlock
                label={`Fix for ${mapping.roleName}`}
                hint={`Run it (or paste the statement) with IAM rights in account ${mapping.accountId}, then press Check.`}
                text={check.fix}
                testId={`check-fix-${testKey}`}
              />
            </details>
          )}
        </>
      )}
    </div>
  );
}
