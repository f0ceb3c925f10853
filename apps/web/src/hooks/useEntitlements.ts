import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { queryKeys } from '../queryClient';

export function useEntitlements() {
  return useQuery({ queryKey: queryKeys.entitlements, queryFn: api.entitlements, select: (r) => r.items });
}
