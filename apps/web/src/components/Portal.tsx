import { useState } from 'react';
import type { MeResponse } from '@rolegate/contract';
import { DemoBanner } from './DemoBanner';
import { TopBar } from './TopBar';
import { GroupChips } from './GroupChips';
import { PortalTabs, type PortalTab } from './PortalTabs';
import { EntitlementsPanel } from './EntitlementsPanel';
import { GrantHistoryPanel } from './GrantHistoryPanel';

/** The signed-in portal: top bar, the user's groups (they decide the roles), then "Request access" and "My grants" tabs. */
export function Portal({ me }: { me: MeResponse }) {
  const [tab, setTab] = useState<PortalTab>('access');

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {me.demo && <DemoBanner />}
      <TopBar me={me} />
      <main id="main" className="main" tabIndex={-1}>
        <div className="main__header">
          <div>
            <h1 className="page-title">AWS access</h1>
            <p className="page-lead">
              Pick a role, choose how long you need it, and open the console or copy CLI credentials.
            </p>
            <GroupChips groups={me.user.groups} />
          </div>
          <PortalTabs value={tab} onChange={setTab} />
        </div>
        <section
          id="panel-access"
          role="tabpanel"
          aria-labelledby="tab-access"
          hidden={tab !== 'access'}
          className="panel"
        >
          <EntitlementsPanel groups={me.user.groups} />
        </section>
        <section id="panel-grants" role="tabpanel" aria-labelledby="tab-grants" hidden={tab !== 'grants'} className="panel">
          {tab === 'grants' && <GrantHistoryPanel />}
        </section>
      </main>
    </div>
  );
}
