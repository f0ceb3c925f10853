import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { queryKeys } from '../queryClient';

/** The signed-in user; the query errors with a 401 ApiError when signed out. */
export function useMe() {
  // Checked again when the tab comes back to the front: a session that ended meanwhile is noticed then.
  return useQuery({ queryKey: queryKeys.me, queryFn: api.me, staleTime: 5 * 60_000, refetchOnWindowFocus: 'always' });
}
