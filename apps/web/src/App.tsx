import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { isUnauthenticated } from './api';
import { useMe } from './hooks/useMe';
import { queryKeys } from './queryClient';
import { onSignedOutElsewhere } from './session-events';
import { Portal } from './shell/Portal';
import { SignInScreen } from './shell/SignInScreen';
import { FullPageStatus } from './components/FullPageStatus';
import { ErrorNotice } from './components/ErrorNotice';

/** Chooses the screen: loading, sign-in (401; "session ended" when this tab was signed in), an error, or the portal. */
export function App() {
  const me = useMe();
  const client = useQueryClient();
  const wasSignedIn = useRef(false);
  if (me.data) wasSignedIn.current = true;

  // Signed out in another tab: ask the server at once rather than on the next click.
  useEffect(() => onSignedOutElsewhere(() => void client.invalidateQueries({ queryKey: queryKeys.me })), [client]);

  if (me.isPending) return <FullPageStatus busy>Loading Rolegate…</FullPageStatus>;
  if (me.isError) {
    if (isUnauthenticated(me.error)) return <SignInScreen sessionEnded={wasSignedIn.current} />;
    return (
      <FullPageStatus>
        <ErrorNotice title="Rolegate is unavailable" error={me.error} onRetry={() => void me.refetch()} retrying={me.isFetching} />
      </FullPageStatus>
    );
  }
  return <Portal me={me.data} />;
}
