import { isUnauthenticated } from './api';
import { useMe } from './hooks/useMe';
import { Portal } from './components/Portal';
import { SignInScreen } from './components/SignInScreen';
import { FullPageStatus } from './components/FullPageStatus';
import { ErrorNotice } from './components/ErrorNotice';

/** Chooses the screen: loading, sign-in (401), an error, or the portal. */
export function App() {
  const me = useMe();

  if (me.isPending) return <FullPageStatus busy>Loading Rolegate…</FullPageStatus>;
  if (me.isError) {
    if (isUnauthenticated(me.error)) return <SignInScreen />;
    return (
      <FullPageStatus>
        <ErrorNotice title="Rolegate is unavailable" error={me.error} onRetry={() => void me.refetch()} retrying={me.isFetching} />
      </FullPageStatus>
    );
  }
  return <Portal me={me.data} />;
}
