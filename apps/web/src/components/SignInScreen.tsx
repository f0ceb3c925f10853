import { useProviders } from '../hooks/useProviders';
import { BrandMark } from './BrandMark';
import { DemoBadge } from './DemoBadge';
import { DemoBanner } from './DemoBanner';
import { ErrorNotice } from './ErrorNotice';
import { ProviderButtons } from './ProviderButtons';
import { SkeletonList } from './SkeletonList';

/**
 * Signed-out screen: a centered card with one button per identity provider.
 * With `sessionEnded` (this tab was signed in: the session expired, was cut
 * off, or ended in another tab) it says so; signing in returns to this page.
 */
export function SignInScreen({ sessionEnded = false }: { sessionEnded?: boolean }) {
  const providers = useProviders();
  const demo = providers.data?.demo === true;

  return (
    <div className="signin-page">
      {demo && <DemoBanner />}
      <main className="signin-page__main">
        <section className="card signin-card" aria-labelledby="signin-title">
          <div className="signin-card__brand">
            <BrandMark />
            {demo && <DemoBadge />}
          </div>
          <h1 id="signin-title" className="signin-card__title">
            {sessionEnded ? 'Your session has ended' : 'Sign in to Rolegate'}
          </h1>
          {sessionEnded && (
            <p className="notice notice--info" role="alert" data-testid="session-ended">
              You were signed out (in another tab, by an administrator, or because the session expired). Sign in again to continue where you were.
            </p>
          )}
          <p className="signin-card__lead">Use your company account to get short-lived access to the AWS accounts your team works in.</p>
          {providers.isPending && <SkeletonList rows={1} label="Loading sign-in options…" />}
          {providers.isError && (
            <ErrorNotice
              title="Sign-in options could not be loaded"
              error={providers.error}
              onRetry={() => void providers.refetch()}
              retrying={providers.isFetching}
            />
          )}
          {providers.isSuccess && <ProviderButtons providers={providers.data.providers} />}
        </section>
        <p className="signin-page__footnote">Every access grant is recorded for audit.</p>
      </main>
    </div>
  );
}
