import { useId, useMemo, useState } from 'react';
import type { Entitlement } from '@rolegate/contract';
import { useEntitlements } from '../hooks/useEntitlements';
import { usePreferences, useSavePreferences } from '../hooks/usePreferences';
import { CONSOLE_REGIONS, consoleLink, groupByAccount, matchesSearch, roleKey } from '../entitlements';
import { errorMessage } from '../api';
import { AccountSection } from './AccountSection';
import { EmptyState } from './EmptyState';
import { ErrorNotice } from './ErrorNotice';
import { RoleRow, type RoleRowOptions } from './RoleRow';
import { SkeletonList } from './SkeletonList';

/** How many recently used roles are listed. */
const RECENT_SHOWN = 5;

/**
 * The roles the user may assume: a search box and the console region on top,
 * then their favourites (pinned), their recently used roles, and every other
 * role grouped by AWS account.
 */
export function EntitlementsPanel({ groups }: { groups: string[] }) {
  const id = useId();
  const entitlements = useEntitlements();
  const preferences = usePreferences();
  const save = useSavePreferences();
  const [query, setQuery] = useState('');

  const favourites = useMemo(() => preferences.data?.favourites ?? [], [preferences.data]);
  const region = preferences.data?.region ?? null;
  const options: RoleRowOptions = {
    isFavourite: (mappingId) => favourites.includes(mappingId),
    toggleFavourite: (mappingId) =>
      save.mutate({ favourites: favourites.includes(mappingId) ? favourites.filter((f) => f !== mappingId) : [...favourites, mappingId], region }),
    region,
  };

  if (entitlements.isPending) return <SkeletonList rows={4} label="Loading your AWS roles…" />;
  if (entitlements.isError) {
    return (
      <ErrorNotice
        title="Your AWS roles could not be loaded"
        error={entitlements.error}
        onRetry={() => void entitlements.refetch()}
        retrying={entitlements.isFetching}
      />
    );
  }
  if (entitlements.data.length === 0) {
    return (
      <EmptyState title="No AWS roles are available to you yet">
        <p>
          Rolegate grants roles to identity-provider groups, and none of your groups
          {groups.length > 0 ? ` (${groups.map((g) => `“${g}”`).join(', ')})` : ''} is mapped to a role.
        </p>
        <p>Ask your Rolegate administrator to map one of your groups to the role you need.</p>
      </EmptyState>
    );
  }

  const byId = new Map(entitlements.data.map((e) => [e.id, e]));
  const visible = entitlements.data.filter((e) => matchesSearch(e, query));
  const pinned = favourites.map((f) => byId.get(f)).filter((e): e is Entitlement => e !== undefined && matchesSearch(e, query));
  const pinnedIds = new Set(pinned.map((e) => e.id));
  const recent =
    query.trim() === ''
      ? (preferences.data?.recent ?? [])
          .map((r) => byId.get(r))
          .filter((e): e is Entitlement => e !== undefined && !pinnedIds.has(e.id))
          .slice(0, RECENT_SHOWN)
      : [];
  const accounts = groupByAccount(visible.filter((e) => !pinnedIds.has(e.id)));

  return (
    <div className="stack" data-testid="entitlements">
      <div className="card portal-toolbar" role="search">
        <div className="field portal-toolbar__search">
          <label className="field__label" htmlFor={`${id}-search`}>
            Search roles
          </label>
          <input
            id={`${id}-search`}
            className="input"
            type="search"
            autoComplete="off"
            placeholder="Account name or id, role, description"
            value={query}
            onChange={(ev) => setQuery(ev.target.value)}
            data-testid="role-search"
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${id}-region`}>
            Console region
          </label>
          <select
            id={`${id}-region`}
            className="select"
            value={region ?? ''}
            onChange={(ev) => save.mutate({ favourites, region: ev.target.value === '' ? null : ev.target.value })}
            data-testid="console-region"
          >
            <option value="">Default (console home)</option>
            {CONSOLE_REGIONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        {save.isError && (
          <p className="role__error" role="alert" data-testid="preferences-error">
            Your preferences could not be saved: {errorMessage(save.error)}
          </p>
        )}
      </div>

      {pinned.length > 0 && (
        <section className="card account" aria-labelledby={`${id}-favourites`} data-testid="favourites">
          <header className="account__header">
            <h2 id={`${id}-favourites`} className="account__name">
              Favourites
            </h2>
          </header>
          <ul className="role-list">
            {pinned.map((e) => (
              <RoleRow key={e.id} entitlement={e} options={options} />
            ))}
          </ul>
        </section>
      )}

      {recent.length > 0 && (
        <section className="card section recent" aria-labelledby={`${id}-recent`} data-testid="recent">
          <h2 id={`${id}-recent`} className="section-title">
            Recently used
          </h2>
          <ul className="recent__list">
            {recent.map((e) => (
              <li key={e.id} data-testid={`recent-${roleKey(e)}`}>
                {e.requireReason ? (
                  <span>
                    {e.roleName} · {e.accountName} <span className="muted">(needs a reason: use the form below)</span>
                  </span>
                ) : (
                  <a href={consoleLink(e, { region })} target="_blank" rel="noopener">
                    {e.roleName} · {e.accountName}
                    <span className="visually-hidden"> (opens the console in a new tab)</span>
                  </a>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {visible.length === 0 ? (
        <p className="muted" role="status" data-testid="role-search-empty">
          No roles match “{query}”.
        </p>
      ) : (
        <div className="accounts">
          {accounts.map((account) => (
            <AccountSection key={account.accountId} account={account} options={options} />
          ))}
        </div>
      )}
    </div>
  );
}
