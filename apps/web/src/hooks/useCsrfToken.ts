import { ApiError } from '../api';
import { useMe } from './useMe';

/** A function returning the session's CSRF token, or throwing a 401 when there is none (signed out). */
export function useCsrfToken(): () => string {
  const me = useMe();
  return () => {
    const token = me.data?.csrfToken;
    if (!token) throw new ApiError(401, 'UNAUTHENTICATED', 'Your session has ended. Please sign in again.');
    return token;
  };
}
