import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { scimApi } from '../scim-api';
import { useCsrfToken } from './useCsrfToken';

const KEY = ['admin', 'scim'] as const;

export const useScimStatus = () => useQuery({ queryKey: [...KEY, 'status'], queryFn: scimApi.status, staleTime: 0 });
export const useScimUsers = () => useQuery({ queryKey: [...KEY, 'users'], queryFn: scimApi.users, staleTime: 0 });
export const useScimGroups = () => useQuery({ queryKey: [...KEY, 'groups'], queryFn: scimApi.groups, staleTime: 0 });
export const useScimChanges = () => useQuery({ queryKey: [...KEY, 'changes'], queryFn: scimApi.changes, select: (r) => r.items, staleTime: 0 });
export const useScimTokens = (enabled: boolean) =>
  useQuery({ queryKey: [...KEY, 'tokens'], queryFn: scimApi.tokens, select: (r) => r.items, staleTime: 0, enabled });

function useRefresh() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: KEY });
}

/** Makes a token; its secret is in the mutation's data only (shown once, never cached elsewhere). */
export function useCreateScimToken() {
  const csrf = useCsrfToken();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (label: string) => scimApi.createToken(label, csrf()), onSettled: refresh });
}

export function useRevokeScimToken() {
  const csrf = useCsrfToken();
  const refresh = useRefresh();
  return useMutation({ mutationFn: (tokenId: string) => scimApi.revokeToken(tokenId, csrf()), onSettled: refresh });
}
