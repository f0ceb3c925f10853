import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { queryKeys } from '../queryClient';

export function useProviders() {
  return useQuery({ queryKey: queryKeys.providers, queryFn: api.providers, staleTime: Infinity });
}
