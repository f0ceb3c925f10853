import type { ReactNode } from 'react';
import type { AuditGrantDetail as Detail } from '@rolegate/contract';
import { ApiError } from '../api';
import { useAuditGrant } from '../hooks/useAudit';
import { Breakable } from '../components/Breakable';
import { CopyBlock } from '../components/CopyBlock';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { StatusBadge } from '../components/StatusBadge';
import { ReasonText } from '../components/ReasonText';
import { useRequest } from '../hooks/useRequests';
import { formatDateTime, formatDuration } from '../format';

const none = <span className="muted">—</span>;

function Item({ label, children, mono = false, testId }: { label: string; children: ReactNode; mono?: boolean; testId?: string }) {
  return (
    <div className="detail__item">
      <dt>{label}</dt>
      <dd className={mono ? 'mono break' : 'break'} data-testid={testId}>
        {children ?? none}
      </dd>
    </div>
  );
}

/** CloudTrail lookups that find this session's events (by access key, or the AssumeRole call by request id). */
function cloudTrailCommands(d: Detail): string {
  const lines: string[] = [];
  if (d.cloudTrail.accessKeyId) {
    lines.push(
      '# Everything done with this session:',
      `aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${d.cloudTrail.accessKeyId}`,
    );
  }
  if (d.cloudTrail.roleSessionName) {
    lines.push(
      '# Every session of this person (RoleSessionName = SourceIdentity):',
      `aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=${d.cloudTrail.roleSessionName}`,
    );
  }
  lines.push(
    '# In a CloudTrail Lake / Athena query, the AssumeRole event carries the grant id as a session tag:',
    `#   requestParameters.tags: ${d.cloudTrail.grantIdTag.key} = ${d.cloudTrail.grantIdTag.value}`,
  );
  return lines.join('\n');
}

/** Auditor: one grant with everything needed to find the session in CloudTrail. */
export function AuditGrantDetail({ grantId, onBack }: { grantId: string; onBack: () => void }) {
  const detail = useAuditGrant(grantId);

  const back = (
    <a
      href="/audit/grants"
      className="btn btn--secondary btn--sm"
      onClick={(e) => {
        e.preventDefault();
        onBack();
      }}
      data-testid="grant-back"
    >
      ← Back to grant history
    </a>
  );

  if (detail.isPending) {
    return (
      <section className="card section">
        <div className="section__header">{back}</div>
        <SkeletonList rows={4} label="Loading the grant…" />
      </section>
    );
  }
  if (detail.isError) {
    return (
      <section className="card section">
        <div className="section__header">{back}</div>
        {/* Retrying cannot make a missing grant appear; other failures may pass. */}
        {detail.error instanceof ApiError && detail.error.status === 404 ? (
          <ErrorNotice title="The grant could not be loaded" error={detail.error} />
        ) : (
          <ErrorNotice title="The grant could not be loaded" error={detail.error} onRetry={() => void detail.refetch()} retrying={detail.isFetching} />
        )}
      </section>
    );
  }

  const { grant: g, cloudTrail: ct } = detail.data;
  return (
    <div className="stack" data-testid="grant-detail">
      <section className="card section" aria-labelledby="grant-title">
        <header className="section__header">
          <div>
            <h2 id="grant-title" className="section-title">
              Grant <span className="mono">{g.id}</span>
            </h2>
            <p className="section-lead">
              <StatusBadge status={g.status} /> {g.kind === 'cli' ? 'CLI credentials' : 'Console'} for <strong>{g.user.email}</strong>,{' '}
              <time dateTime={g.createdAt}>{formatDateTime(g.createdAt)}</time>
            </p>
          </div>
          {back}
        </header>
        <dl className="detail">
          <Item label="User" testId="detail-user">
            {g.user.email}
          </Item>
          <Item label="User id" mono>
            {g.user.id}
          </Item>
          <Item label="IdP subject" mono>{`${g.user.subject} (${g.user.idp.toUpperCase()})`}</Item>
          <Item label="Groups at the time">{g.groups.length > 0 ? g.groups.join(', ') : null}</Item>
          <Item label="Role ARN" mono testId="detail-role-arn">
            {g.roleArn && <Breakable text={g.roleArn} />}
          </Item>
          <Item label="Account" mono>
            {g.accountId}
          </Item>
          <Item label="Mapping id" mono>
            {g.mappingId}
          </Item>
          <Item label="Duration">{g.durationSeconds ? formatDuration(g.durationSeconds) : null}</Item>
          <Item label="Expires">{g.expiresAt ? <time dateTime={g.expiresAt}>{formatDateTime(g.expiresAt)}</time> : null}</Item>
          <Item label="Reason">{g.reason && <ReasonText text={g.reason} testId="detail-reason" />}</Item>
          <Item label="Error" mono>
            {g.error}
          </Item>
          <Item label="Client IP" mono>
            {g.clientIp}
          </Item>
          <Item label="User agent">{g.userAgent && <ReasonText text={g.userAgent} clamp={false} />}</Item>
        </dl>
      </section>

      {g.requestId && <GrantRequestSection requestId={g.requestId} />}

      {detail.data.revocation && <RevocationSection revocation={detail.data.revocation} />}

      <section className="card section" aria-labelledby="cloudtrail-title" data-testid="grant-cloudtrail">
        <header className="section__header">
          <div>
            <h2 id="cloudtrail-title" className="section-title">
              Find it in CloudTrail
            </h2>
            <p className="section-lead">These values appear on the AssumeRole event and on every call made with the session.</p>
          </div>
        </header>
        <dl className="detail">
          <Item label="RoleSessionName" mono testId="detail-session-name">
            {ct.roleSessionName}
          </Item>
          <Item label="SourceIdentity" mono>
            {ct.sourceIdentity}
          </Item>
          <Item label="Access key id" mono testId="detail-access-key">
            {ct.accessKeyId}
          </Item>
          <Item label="STS request id" mono testId="detail-request-id">
            {ct.stsRequestId}
          </Item>
          <Item label="Session tag" mono>{`${ct.grantIdTag.key} = ${ct.grantIdTag.value}`}</Item>
        </dl>
        <CopyBlock label="CloudTrail lookups" hint="AWS CLI commands for this session." text={cloudTrailCommands(detail.data)} testId="copy-cloudtrail" />
      </section>
    </div>
  );
}

/** The access request whose window the grant was issued in: who asked, why, and who approved it when (auditors may read every request). */
function GrantRequestSection({ requestId }: { requestId: string }) {
  const r = useRequest(requestId);
  return (
    <section className="card section" aria-labelledby="grant-request-title" data-testid="grant-request">
      <h2 id="grant-request-title" className="section-title">
        Approval
      </h2>
      {r.isPending && <p className="muted">Loading the request…</p>}
      {r.isError && <p className="role__error">The request could not be loaded.</p>}
      {r.data && (
        <dl className="detail">
          <Item label="Request" mono>
            {r.data.id}
          </Item>
          <Item label="Requested">{`${r.data.requester.email}, ${formatDateTime(r.data.createdAt)}${r.data.breakGlass ? ' (break-glass)' : ''}`}</Item>
          <Item label="Request reason">{r.data.reason}</Item>
          <Item label="Window">
            {r.data.windowStartsAt && r.data.windowEndsAt ? `${formatDateTime(r.data.windowStartsAt)} – ${formatDateTime(r.data.windowEndsAt)}` : null}
          </Item>
          <Item label="Approved by" testId="detail-approvals">
            {r.data.approvals.length > 0
              ? r.data.approvals.map((a) => `${a.by.email} (${formatDateTime(a.at)}${a.comment ? `: ${a.comment}` : ''})`).join('; ')
              : null}
          </Item>
          <Item label="Review">
            {r.data.review ? (r.data.review.status === 'open' ? 'open' : `closed by ${r.data.review.by?.email ?? '?'}: ${r.data.review.note ?? ''}`) : null}
          </Item>
        </dl>
      )}
    </section>
  );
}

const REVOCATION_STATE: Record<NonNullable<Detail['revocation']>['state'], string> = {
  requested: 'Waiting for AWS',
  applied: 'Applied at AWS',
  pruned: 'Applied, entry since pruned (the session had ended)',
};

/** Who revoked the grant at AWS, when and why, and how far the revocation got. */
function RevocationSection({ revocation: rv }: { revocation: NonNullable<Detail['revocation']> }) {
  return (
    <section className="card section" aria-labelledby="grant-revocation-title" data-testid="grant-revocation">
      <h2 id="grant-revocation-title" className="section-title">
        Revocation
      </h2>
      <dl className="detail">
        <Item label="Revoked by" testId="detail-revoked-by">{`${rv.requestedBy}, ${formatDateTime(rv.requestedAt)}`}</Item>
        <Item label="Why">{rv.reason ? <ReasonText text={rv.reason} /> : null}</Item>
        <Item label="State at AWS" testId="detail-revocation-state">
          {REVOCATION_STATE[rv.state]}
        </Item>
        <Item label="Applied">{rv.appliedAt ? `${formatDateTime(rv.appliedAt)}${rv.policyVersion ? ` (policy version ${rv.policyVersion})` : ''}` : null}</Item>
      </dl>
    </section>
  );
}
