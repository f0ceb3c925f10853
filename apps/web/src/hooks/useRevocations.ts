import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { adminApi, api } from '../api';
import { queryKeys } from '../queryClient';
import { useCsrfToken } from './useCsrfToken';

/** Revocations for admins, newest first; refreshed every few seconds while one is still requested. */
export function useRevocations(status: string) {
  return useQuery({
    queryKey: queryKeys.revocations(status),
    queryFn: () => adminApi.revocations(status || undefined),
    select: (r) => r.items,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.status === 'requested') ? 3000 : false),
  });
}

/** Revokes one of the caller's grants (or, for approvers and admins, someone else's). */
export function useRevokeGrant() {
  const csrf = useCsrfToken();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ grantId, reason }: { grantId: string; reason: string }) => api.revokeGrant(grantId, reason, csrf()),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.grants }),
  });
}
