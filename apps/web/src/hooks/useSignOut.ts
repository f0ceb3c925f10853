import { useMutation } from '@tanstack/react-query';
import { api } from '../api';
import { useMe } from './useMe';
import { announceSignedOut } from '../session-events';

/** POST /auth/logout with the CSRF token, then a full reload of `/`. */
export function useSignOut() {
  const me = useMe();
  return useMutation({
    mutationFn: () => api.logout(me.data?.csrfToken ?? ''),
    onSuccess: () => {
      announceSignedOut();
      window.location.assign('/');
    },
  });
}
