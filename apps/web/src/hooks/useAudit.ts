import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { auditApi, type AuditFilters } from '../api';
import { queryKeys } from '../queryClient';

/** Grants matching the filters, newest first; keyset pages follow `nextCursor`. */
export function useAuditGrants(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: queryKeys.auditGrants(filters),
    queryFn: ({ pageParam }) => auditApi.grants(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

export function useAuditGrant(grantId: string) {
  return useQuery({ queryKey: queryKeys.auditGrant(grantId), queryFn: () => auditApi.grant(grantId) });
}
