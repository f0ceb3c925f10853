import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CreateGrantRequest } from '@rolegate/contract';
import { ApiError, api } from '../api';
import { queryKeys } from '../queryClient';
import { useMe } from './useMe';

/**
 * `POST /api/grants`. `gcTime: 0` so that once the caller resets the mutation,
 * returned credentials do not linger in the mutation cache.
 */
export function useCreateGrant() {
  const me = useMe();
  const client = useQueryClient();
  return useMutation({
    gcTime: 0,
    mutationFn: (body: CreateGrantRequest) => {
      const token = me.data?.csrfToken;
      if (!token) throw new ApiError(401, 'UNAUTHENTICATED', 'Your session has ended. Please sign in again.');
      return api.createGrant(body, token);
    },
    // Denied and failed attempts are recorded too, so refresh history either way.
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.grants }),
  });
}
