import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api';
import { useMe } from './useMe';

export type { CliToken } from '@rolegate/contract';

export const cliTokensKey = ['cli', 'tokens'] as const;

/** The caller's active CLI tokens, newest first. */
export function useCliTokens() {
  return useQuery({
    queryKey: cliTokensKey,
    queryFn: async () => (await api.cliTokens()).items,
    staleTime: 0,
  });
}

/** Revokes one of the caller's CLI tokens (`DELETE /api/cli/tokens/:id`, with the CSRF token). */
export function useRevokeCliToken() {
  const me = useMe();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const token = me.data?.csrfToken;
      if (!token) throw new ApiError(401, 'UNAUTHENTICATED', 'Your session has ended. Please sign in again.');
      await api.revokeCliToken(id, token);
    },
    onSettled: () => client.invalidateQueries({ queryKey: cliTokensKey }),
  });
}
