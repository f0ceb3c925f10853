import { useEffect, useState } from 'react';
import type { AppRole } from '@rolegate/contract';

/** A screen of the portal. Paths are real URLs so links, Back and sign-in `returnTo` keep working. */
export type Route =
  | { screen: 'access' }
  | { screen: 'grants' }
  | { screen: 'tokens' }
  | { screen: 'requests' }
  | { screen: 'approvals' }
  | { screen: 'reviews' }
  | { screen: 'outbox' }
  /** One access request (`/requests/:id`): where a step-up sign-in returns an approver to. */
  | { screen: 'request'; requestId: string }
  | { screen: 'mappings' }
  | { screen: 'changes' }
  | { screen: 'people' }
  | { screen: 'provisioning' }
  | { screen: 'revocations' }
  | { screen: 'audit'; search: string }
  | { screen: 'audit-grant'; grantId: string; search: string }
  /** A path the portal does not have (a typo, an old link): a 404 screen, never the portal in disguise. */
  | { screen: 'not-found'; path: string };

export type Screen = Route['screen'];
/** The screens that have a tab; a grant detail belongs to the "Grant history" tab. */
export type TabId = Exclude<Screen, 'audit-grant' | 'not-found' | 'request'>;

const PATHS: Record<TabId, string> = {
  access: '/',
  grants: '/grants',
  tokens: '/tokens',
  requests: '/requests',
  approvals: '/approvals',
  reviews: '/admin/reviews',
  outbox: '/admin/notifications',
  mappings: '/admin/mappings',
  changes: '/admin/changes',
  people: '/admin/people',
  provisioning: '/admin/provisioning',
  revocations: '/admin/revocations',
  audit: '/audit/grants',
};

/** Which app role a screen needs (the server enforces the same on every route). */
export const SCREEN_ROLE: Record<TabId, AppRole> = {
  access: 'employee',
  grants: 'employee',
  tokens: 'employee',
  requests: 'employee',
  approvals: 'employee',
  reviews: 'admin',
  outbox: 'admin',
  mappings: 'admin',
  changes: 'admin',
  people: 'admin',
  provisioning: 'admin',
  revocations: 'admin',
  audit: 'auditor',
};

const GRANT_DETAIL = /^\/audit\/grants\/([\w-]{1,64})$/;
const REQUEST_DETAIL = /^\/requests\/([\w-]{1,64})$/;

/** Parses `location` into a route; unknown paths are `not-found`. */
export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const detail = GRANT_DETAIL.exec(path);
  if (detail?.[1]) return { screen: 'audit-grant', grantId: detail[1], search };
  // The link APPROVAL_REQUIRED gives (/requests/new?entitlementId=…): the role's Request form is on the access screen.
  if (path === '/requests/new') return { screen: 'access' };
  const request = REQUEST_DETAIL.exec(path);
  if (request?.[1]) return { screen: 'request', requestId: request[1] };
  const tab = (Object.keys(PATHS) as TabId[]).find((t) => PATHS[t] === path);
  if (tab === 'audit') return { screen: 'audit', search };
  if (!tab) return { screen: 'not-found', path: pathname };
  return { screen: tab } as Route;
}

/** The URL of a route. */
export function routeUrl(route: Route): string {
  if (route.screen === 'audit-grant') return `/audit/grants/${encodeURIComponent(route.grantId)}${route.search}`;
  if (route.screen === 'audit') return `${PATHS.audit}${route.search}`;
  if (route.screen === 'not-found') return route.path;
  if (route.screen === 'request') return `/requests/${encodeURIComponent(route.requestId)}`;
  return PATHS[route.screen];
}

export const tabOf = (route: Route): TabId | null =>
  route.screen === 'audit-grant' ? 'audit' : route.screen === 'request' ? 'requests' : route.screen === 'not-found' ? null : route.screen;

const current = () => parseRoute(window.location.pathname, window.location.search);

/**
 * The current route and a navigate function (history.pushState, or
 * replaceState for URL updates that should not add a Back step).
 */
export function useRoute(): [Route, (route: Route, opts?: { replace?: boolean }) => void] {
  const [route, setRoute] = useState<Route>(current);

  useEffect(() => {
    const onPop = () => setRoute(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  function navigate(next: Route, opts: { replace?: boolean } = {}) {
    const url = routeUrl(next);
    if (url !== `${window.location.pathname}${window.location.search}`) {
      if (opts.replace) window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
    }
    setRoute(next);
  }

  return [route, navigate];
}
