import { useEffect, useRef } from 'react';
import type { MeResponse } from '@rolegate/contract';
import { SCREEN_ROLE, tabOf, useRoute, type Route, type TabId } from '../route';
import { DemoBanner } from './DemoBanner';
import { TopBar } from './TopBar';
import { GroupChips } from '../components/GroupChips';
import { PortalTabs, type PortalTabDef } from './PortalTabs';
import { EntitlementsPanel } from '../portal/EntitlementsPanel';
import { GrantHistoryPanel } from '../portal/GrantHistoryPanel';
import { CliTokensPanel } from '../portal/CliTokensPanel';
import { MappingsPanel } from '../admin/MappingsPanel';
import { ChangeHistoryPanel } from '../admin/ChangeHistoryPanel';
import { PeoplePanel } from '../admin/PeoplePanel';
import { ProvisioningPanel } from '../admin/ProvisioningPanel';
import { RevocationsPanel } from '../revocation/RevocationsPanel';
import { AuditGrantsPanel } from '../audit/AuditGrantsPanel';
import { AuditGrantDetail } from '../audit/AuditGrantDetail';
import { useActionableCount } from '../hooks/useRequests';
import { ApprovalsPanel, MyRequestsPanel, OutboxPanel, RequestDetailPanel, ReviewsPanel } from '../requests/RequestsPanels';

interface ScreenText {
  label: string;
  title: string;
  lead: string;
}

const SCREENS: Record<TabId, ScreenText> = {
  access: {
    label: 'Request access',
    title: 'AWS access',
    lead: 'Pick a role, choose how long you need it, and open the console or copy CLI credentials.',
  },
  grants: { label: 'My grants', title: 'AWS access', lead: 'Everything you requested, including denied and failed attempts.' },
  tokens: { label: 'CLI tokens', title: 'AWS access', lead: 'The rolegate command-line sessions signed in as you.' },
  requests: { label: 'My requests', title: 'AWS access', lead: 'Your requests for roles that need approval, and the time left in each access window.' },
  approvals: { label: 'Approvals', title: 'Approvals', lead: 'Requests waiting for your decision. You never approve your own, and you count once.' },
  outbox: {
    label: 'Notifications',
    title: 'Notifications',
    lead: 'What Rolegate sent (or, in the demo, would have sent) about requests, and how each delivery went.',
  },
  reviews: {
    label: 'Break-glass reviews',
    title: 'Break-glass reviews',
    lead: 'Every break-glass use stays here until someone closes its review with a note.',
  },
  mappings: {
    label: 'Mappings',
    title: 'Role mappings',
    lead: 'Which identity-provider group may use which AWS role. Groups match exactly.',
  },
  people: {
    label: 'People',
    title: 'People',
    lead: 'Find a person and cut them off: end their browser sessions, revoke their CLI tokens and their live AWS sessions.',
  },
  revocations: {
    label: 'Revocations',
    title: 'Revocations',
    lead: 'Grants and people revoked at AWS, and whether each account’s revocation policy holds them yet.',
  },
  provisioning: { label: 'Provisioning', title: 'Provisioning (SCIM)', lead: 'People and groups your identity provider pushes, and the tokens it uses.' },
  changes: { label: 'Change history', title: 'Change history', lead: 'Every change to accounts and mappings: who, when, before and after.' },
  audit: { label: 'Grant history', title: 'Grant history', lead: 'Who had which role, when, for how long and why. Filters match exactly.' },
};

const TAB_ORDER: TabId[] = [
  'access',
  'grants',
  'requests',
  'approvals',
  'tokens',
  'mappings',
  'changes',
  'people',
  'provisioning',
  'revocations',
  'reviews',
  'outbox',
  'audit',
];

/** The tabs the user's roles allow (the server enforces the same on every route). */
export function tabsFor(roles: readonly string[]): PortalTabDef[] {
  return TAB_ORDER.filter((t) => roles.includes(SCREEN_ROLE[t])).map((id) => ({ id, label: SCREENS[id].label }));
}

/** The signed-in portal: top bar, the user's groups, the tabs their roles allow, and the current screen. */
export function Portal({ me }: { me: MeResponse }) {
  const [route, navigate] = useRoute();
  const actionable = useActionableCount();
  const tabs = tabsFor(me.roles).map((t) => (t.id === 'approvals' ? { ...t, badge: actionable } : t));
  const requested = tabOf(route);
  const allowed = requested !== null && tabs.some((t) => t.id === requested);
  // A screen the user's roles do not allow (an old bookmark, say) is a 403 screen; an unknown path a 404 screen.
  const tab: TabId | null = allowed ? requested : null;
  const text: ScreenText =
    tab !== null
      ? SCREENS[tab]
      : requested === null
        ? { label: 'Page not found', title: 'Page not found', lead: 'There is no page at this address.' }
        : { label: 'No access', title: 'No access to this page', lead: `This page needs the ${SCREEN_ROLE[requested]} role.` };
  const firstRender = useRef(true);

  useEffect(() => {
    document.title = tab === 'access' ? 'Rolegate' : `${text.label} · Rolegate`;
  }, [tab, text.label]);

  // Moving between screens by link (not by tab keys) puts focus on the new screen for screen-reader users.
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    if (route.screen === 'audit-grant') main.current?.focus();
  }, [route.screen]);

  const go = (next: Route) => navigate(next);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {me.demo && <DemoBanner />}
      <TopBar me={me} />
      <main id="main" ref={main} className="main" tabIndex={-1}>
        <div className="main__header">
          <div className="main__heading">
            <h1 className="page-title">{text.title}</h1>
            <p className="page-lead">{text.lead}</p>
            <GroupChips groups={me.user.groups} />
          </div>
          <PortalTabs tabs={tabs} value={tab} onChange={(id) => go(id === 'audit' ? { screen: 'audit', search: '' } : ({ screen: id } as Route))} />
        </div>
        {tab === null && (
          <section className="panel">
            <div className="card section status-screen" data-testid={requested === null ? 'not-found' : 'forbidden'}>
              {requested === null ? (
                <p>
                  Nothing lives at <code className="mono">{route.screen === 'not-found' ? route.path : ''}</code>. Check the address, or go back to your AWS
                  roles.
                </p>
              ) : (
                <p>
                  You are signed in as {me.user.email}, and none of your groups ({me.user.groups.join(', ') || 'none'}) gives you the {SCREEN_ROLE[requested]}{' '}
                  role. Ask your Rolegate administrator if you need it.
                </p>
              )}
              <p>
                <a
                  href="/"
                  className="btn btn--primary"
                  data-testid="go-portal"
                  onClick={(e) => {
                    e.preventDefault();
                    go({ screen: 'access' });
                  }}
                >
                  Go to your AWS roles
                </a>
              </p>
            </div>
          </section>
        )}
        {tab !== null && (
          <section id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} className="panel" data-testid={`panel-${tab}`}>
            {tab === 'access' && <EntitlementsPanel groups={me.user.groups} />}
            {tab === 'grants' && <GrantHistoryPanel />}
            {tab === 'tokens' && <CliTokensPanel />}
            {tab === 'requests' && route.screen === 'request' && <RequestDetailPanel requestId={route.requestId} />}
            {tab === 'requests' && route.screen === 'requests' && <MyRequestsPanel />}
            {tab === 'approvals' && <ApprovalsPanel />}
            {tab === 'reviews' && <ReviewsPanel />}
            {tab === 'outbox' && <OutboxPanel />}
            {tab === 'mappings' && <MappingsPanel />}
            {tab === 'changes' && <ChangeHistoryPanel />}
            {tab === 'people' && <PeoplePanel />}
            {tab === 'provisioning' && <ProvisioningPanel />}
            {tab === 'revocations' && <RevocationsPanel />}
            {tab === 'audit' && route.screen === 'audit-grant' && (
              <AuditGrantDetail grantId={route.grantId} onBack={() => go({ screen: 'audit', search: route.search })} />
            )}
            {tab === 'audit' && route.screen === 'audit' && (
              <AuditGrantsPanel
                search={route.search}
                onSearchChange={(search) => navigate({ screen: 'audit', search }, { replace: true })}
                onOpen={(grantId) => go({ screen: 'audit-grant', grantId, search: route.search })}
              />
            )}
          </section>
        )}
      </main>
    </div>
  );
}
