import { useEffect, useRef } from 'react';
import type { AdminMapping } from '@rolegate/contract';
import { useTrustPolicy } from '../hooks/useAdmin';
import { CopyBlock } from '../components/CopyBlock';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';

/** The trust policy a mapping's role needs so the broker may assume it, ready to copy. */
export function TrustPolicyView({ mapping, onClose }: { mapping: AdminMapping; onClose: () => void }) {
  const policy = useTrustPolicy(mapping.id);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  return (
    <section className="card section" aria-labelledby="trust-title" data-testid="trust-policy">
      <header className="section__header">
        <div>
          <h2 id="trust-title" className="section-title" ref={heading} tabIndex={-1}>
            Trust policy for {mapping.roleName}
          </h2>
          <p className="section-lead break">
            Set this as the trust relationship of <span className="mono">{mapping.roleArn}</span> so Rolegate may assume it.
          </p>
        </div>
        <button type="button" className="btn btn--secondary btn--sm" onClick={onClose} data-testid="trust-close">
          Back to mappings
        </button>
      </header>

      {policy.isPending && <SkeletonList rows={2} label="Loading the trust policy…" />}
      {policy.isError && (
        <ErrorNotice title="The trust policy could not be loaded" error={policy.error} onRetry={() => void policy.refetch()} retrying={policy.isFetching} />
      )}
      {policy.isSuccess && (
        <div className="stack">
          <p>
            It trusts the broker's AWS principal <span className="mono break">{policy.data.brokerPrincipalArn}</span> for{' '}
            {policy.data.actions.map((a, i) => (
              <span key={a}>
                {i > 0 && (i === policy.data.actions.length - 1 ? ' and ' : ', ')}
                <code className="inline-code">{a}</code>
              </span>
            ))}
            .
          </p>
          {policy.data.warnings.map((w) => (
            <p key={w} className="notice notice--warning" role="note">
              {w}
            </p>
          ))}
          <CopyBlock
            label="Trust policy (JSON)"
            hint="Paste into the role's Trust relationships tab in the IAM console."
            text={JSON.stringify(policy.data.policy, null, 2)}
            testId="copy-trust-policy"
          />
          <CopyBlock
            label="AWS CLI"
            hint="Or save the JSON above as trust-policy.json and run:"
            text={`aws iam update-assume-role-policy --role-name ${mapping.roleName} --policy-document file://trust-policy.json`}
            testId="copy-trust-cli"
          />
        </div>
      )}
    </section>
  );
}
