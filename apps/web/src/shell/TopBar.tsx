import type { MeResponse } from '@rolegate/contract';
import { BrandMark } from '../components/BrandMark';
import { DemoBadge } from '../components/DemoBadge';
import { SignOutButton } from './SignOutButton';

/** Product name, the signed-in user and the sign-out button. */
export function TopBar({ me }: { me: MeResponse }) {
  const { user } = me;
  return (
    <header className="topbar">
      <div className="topbar__inner">
        <div className="topbar__brand">
          <BrandMark />
          {me.demo && <DemoBadge />}
        </div>
        <div className="topbar__user">
          <div className="user-summary">
            <span className="user-summary__name" data-testid="user-name">
              {user.displayName || user.email}
            </span>
            <span className="user-summary__email" data-testid="user-email">
              {user.email}
            </span>
          </div>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
