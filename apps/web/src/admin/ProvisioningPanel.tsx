import { useId, useState, type FormEvent } from 'react';
import type { ScimToken } from '@rolegate/contract';
import { errorMessage } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyBlock } from '../components/CopyBlock';
import { EmptyState } from '../components/EmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { SkeletonList } from '../components/SkeletonList';
import { formatDateTime } from '../format';
import { useCreateScimToken, useRevokeScimToken, useScimChanges, useScimGroups, useScimStatus, useScimTokens, useScimUsers } from '../hooks/useProvisioning';

/** Status: on or off, how sign-in groups count, last change, counts, recent refused requests. */
function StatusSection() {
  const status = useScimStatus();
  if (status.isPending) return <SkeletonList rows={2} label="Loading provisioning status…" />;
  if (status.isError)
    return (
      <ErrorNotice
        title="The provisioning status could not be loaded"
        error={status.error}
        onRetry={() => void status.refetch()}
        retrying={status.isFetching}
      />
    );
  const s = status.data;
  return (
    <section className="card section" aria-labelledby="scim-status-title" data-testid="scim-status">
      <header className="section__header">
        <div>
          <h2 id="scim-status-title" className="section-title">
            Status
          </h2>
          <p className="section-lead">
            {!s.enabled
              ? 'SCIM is off (SCIM_ENABLED): groups come from each sign-in.'
              : s.provisioned
                ? `SCIM is the truth for groups (sign-in groups: ${s.signInGroups}; mappings name a group by its ${s.groupName}).`
                : 'SCIM is on and waiting for the first push: until then, groups come from each sign-in.'}
          </p>
        </div>
      </header>
      <dl className="detail">
        <div className="detail__item">
          <dt>Last change</dt>
          <dd data-testid="scim-last-change">{s.lastChangeAt ? formatDateTime(s.lastChangeAt) : 'never'}</dd>
        </div>
        <div className="detail__item">
          <dt>People</dt>
          <dd data-testid="scim-count-users">
            {s.users} ({s.activeUsers} active)
          </dd>
        </div>
        <div className="detail__item">
          <dt>Groups</dt>
          <dd data-testid="scim-count-groups">
            {s.groups} ({s.memberships} memberships)
          </dd>
        </div>
        <div className="detail__item">
          <dt>Working tokens</dt>
          <dd data-testid="scim-count-tokens">{s.activeTokens}</dd>
        </div>
      </dl>
      <h3 className="subsection-title">Refused requests (last 7 days)</h3>
      {s.recentErrors.length === 0 ? (
        <p className="muted" data-testid="scim-errors-none">
          None.
        </p>
      ) : (
        <ul className="account-list" data-testid="scim-errors">
          {s.recentErrors.map((e, i) => (
            <li key={`${e.at}-${i}`} className="account-item">
              <span className="account-item__name mono">
                {e.status} {e.method} {e.path}
              </span>
              <span className="muted account-item__count">
                {formatDateTime(e.at)} — {e.scimType ? `${e.scimType}: ` : ''}
                {e.detail}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Tokens: make one (its secret shown once), revoke one. */
function TokensSection({ enabled }: { enabled: boolean }) {
  const labelId = useId();
  const [label, setLabel] = useState('');
  const [revoking, setRevoking] = useState<ScimToken | null>(null);
  const tokens = useScimTokens(enabled);
  const create = useCreateScimToken();
  const revoke = useRevokeScimToken();

  function onCreate(e: FormEvent) {
    e.preventDefault();
    create.mutate(label.trim(), { onSuccess: () => setLabel('') });
  }

  return (
    <section className="card section" aria-labelledby="scim-tokens-title">
      <header className="section__header">
        <div>
          <h2 id="scim-tokens-title" className="section-title">
            Tokens
          </h2>
          <p className="section-lead">
            The identity provider sends one of these as its bearer token. Keep two while you rotate: make the new one, switch the IdP, revoke the old one.
          </p>
        </div>
      </header>
      {!enabled ? (
        <p className="muted">Turn SCIM on (SCIM_ENABLED, SCIM_TOKEN_SECRET) to make tokens.</p>
      ) : (
        <>
          <form className="filter-row" onSubmit={onCreate}>
            <label htmlFor={labelId} className="field__label">
              Label
            </label>
            <input
              id={labelId}
              className="input"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              placeholder="e.g. okta-production"
              maxLength={100}
              data-testid="scim-token-label"
            />
            <button type="submit" className="btn btn--primary btn--sm" disabled={create.isPending || label.trim() === ''} data-testid="scim-token-create">
              Create token
            </button>
          </form>
          {create.isError && (
            <p className="form-error" role="alert">
              {errorMessage(create.error)}
            </p>
          )}
          {create.data && (
            <div className="notice notice--warning" role="status" data-testid="scim-token-created">
              <p className="notice__title">Copy this token now: it is shown only once.</p>
              <CopyBlock
                label={`Token ${create.data.token.label}`}
                hint="Paste it into the IdP's SCIM settings as the bearer token (API token / secret token)."
                text={create.data.secret}
                testId="scim-token-secret"
              />
              <button type="button" className="btn btn--secondary btn--sm" onClick={() => create.reset()} data-testid="scim-token-done">
                Done, I have copied it
              </button>
            </div>
          )}
          {tokens.isPending && <SkeletonList rows={1} label="Loading tokens…" />}
          {tokens.isError && (
            <ErrorNotice title="Tokens could not be loaded" error={tokens.error} onRetry={() => void tokens.refetch()} retrying={tokens.isFetching} />
          )}
          {tokens.isSuccess && tokens.data.length === 0 && <p className="muted">No tokens yet.</p>}
          {tokens.isSuccess && tokens.data.length > 0 && (
            <ul className="account-list" data-testid="scim-tokens">
              {tokens.data.map((t) => (
                <li key={t.id} className="account-item" data-testid={`scim-token-${t.label}`}>
                  <span className="account-item__name">{t.label}</span>
                  <span className="muted account-item__count">
                    by {t.createdBy}, {formatDateTime(t.createdAt)}; {t.lastUsedAt ? `last used ${formatDateTime(t.lastUsedAt)}` : 'never used'}
                    {t.revokedAt ? `; revoked ${formatDateTime(t.revokedAt)}` : ''}
                  </span>
                  {!t.revokedAt && (
                    <button
                      type="button"
                      className="btn btn--danger-ghost btn--sm"
                      onClick={() => {
                        revoke.reset();
                        setRevoking(t);
                      }}
                      aria-label={`Revoke SCIM token ${t.label}`}
                      data-testid={`scim-token-revoke-${t.label}`}
                    >
                      Revoke
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {revoking && (
            <ConfirmDialog
              title={`Revoke token ${revoking.label}?`}
              confirmLabel="Revoke token"
              busy={revoke.isPending}
              error={revoke.isError ? errorMessage(revoke.error) : null}
              onConfirm={() => revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
              onClose={() => setRevoking(null)}
              testId="scim-revoke-dialog"
            >
              <p>The identity provider using it is refused from its next request. Provisioning stops until it has a working token.</p>
            </ConfirmDialog>
          )}
        </>
      )}
    </section>
  );
}

/** People and groups exactly as the IdP pushed them. */
function DirectorySection() {
  const users = useScimUsers();
  const groups = useScimGroups();
  return (
    <section className="card section" aria-labelledby="scim-directory-title">
      <header className="section__header">
        <div>
          <h2 id="scim-directory-title" className="section-title">
            People and groups as pushed
          </h2>
          <p className="section-lead">Sign-ins are matched to these people by email (userName or primary email, without regard to case).</p>
        </div>
      </header>
      <h3 className="subsection-title">Groups</h3>
      {groups.isPending && <SkeletonList rows={2} label="Loading groups…" />}
      {groups.isError && (
        <ErrorNotice title="Groups could not be loaded" error={groups.error} onRetry={() => void groups.refetch()} retrying={groups.isFetching} />
      )}
      {groups.isSuccess && groups.data.items.length === 0 && <EmptyState title="No groups pushed yet" />}
      {groups.isSuccess && groups.data.items.length > 0 && (
        <ul className="account-list" data-testid="scim-groups">
          {groups.data.items.map((g) => (
            <li key={g.id} className="account-item" data-testid={`scim-group-${g.displayName}`}>
              <span className="account-item__name">
                {g.displayName}
                {g.externalId && <span className="muted mono"> {g.externalId}</span>}
              </span>
              <span className="muted account-item__count">
                {g.memberCount} {g.memberCount === 1 ? 'member' : 'members'}: {g.members.join(', ') || '—'}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3 className="subsection-title">People</h3>
      {users.isPending && <SkeletonList rows={2} label="Loading people…" />}
      {users.isError && <ErrorNotice title="People could not be loaded" error={users.error} onRetry={() => void users.refetch()} retrying={users.isFetching} />}
      {users.isSuccess && users.data.items.length === 0 && <EmptyState title="No people pushed yet" />}
      {users.isSuccess && users.data.items.length > 0 && (
        <ul className="account-list" data-testid="scim-users">
          {users.data.items.map((u) => (
            <li key={u.id} className="account-item" data-testid={`scim-user-${u.userName}`}>
              <span className="account-item__name">
                {u.displayName ?? u.userName} <span className="mono">{u.userName}</span>{' '}
                <span className={`badge ${u.active ? 'badge--issued' : 'badge--revoked'}`}>{u.active ? 'active' : 'inactive'}</span>
              </span>
              <span className="muted account-item__count">
                groups {u.groups.join(', ') || '—'}; changed {formatDateTime(u.updatedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The latest SCIM changes (the full log is also readable by auditors). */
function ChangesSection() {
  const changes = useScimChanges();
  return (
    <section className="card section" aria-labelledby="scim-changes-title">
      <header className="section__header">
        <div>
          <h2 id="scim-changes-title" className="section-title">
            Latest changes
          </h2>
        </div>
      </header>
      {changes.isPending && <SkeletonList rows={2} label="Loading changes…" />}
      {changes.isError && (
        <ErrorNotice title="Changes could not be loaded" error={changes.error} onRetry={() => void changes.refetch()} retrying={changes.isFetching} />
      )}
      {changes.isSuccess && changes.data.length === 0 && <p className="muted">No changes yet.</p>}
      {changes.isSuccess && changes.data.length > 0 && (
        <ul className="account-list" data-testid="scim-changes">
          {changes.data.slice(0, 50).map((c) => (
            <li key={c.id} className="account-item">
              <span className="account-item__name">
                {c.action} {c.resourceType}{' '}
                <span className="mono">{String(c.detail?.userName ?? c.detail?.displayName ?? c.detail?.label ?? c.resourceId)}</span>
              </span>
              <span className="muted account-item__count">
                {c.actor}, {formatDateTime(c.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Admin: SCIM provisioning — status, tokens, what the IdP pushed, latest changes. */
export function ProvisioningPanel() {
  const status = useScimStatus();
  return (
    <div className="stack">
      <StatusSection />
      <TokensSection enabled={status.data?.enabled ?? false} />
      <DirectorySection />
      <ChangesSection />
    </div>
  );
}
