import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateMappingBody, UpdateMappingBody } from '@rolegate/contract';
import { adminApi } from '../api';
import { queryKeys } from '../queryClient';
import { useCsrfToken } from './useCsrfToken';

export function useAdminMappings() {
  return useQuery({ queryKey: queryKeys.adminMappings, queryFn: adminApi.mappings, select: (r) => r.items, staleTime: 0 });
}

/** MAPPINGS_FILE when it manages the mappings (admin writes are then refused), else null. */
export function useMappingsManagedBy() {
  return useQuery({ queryKey: queryKeys.adminMappings, queryFn: adminApi.mappings, select: (r) => r.managedBy ?? null, staleTime: 0 });
}

export function useAdminAccounts() {
  return useQuery({ queryKey: queryKeys.adminAccounts, queryFn: adminApi.accounts, select: (r) => r.items, staleTime: 0 });
}

/** The change log, newest first, one page per `nextCursor`. */
export function useAdminChanges() {
  return useInfiniteQuery({
    queryKey: queryKeys.adminChanges,
    queryFn: ({ pageParam }) => adminApi.changes(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: (data) => data.pages.flatMap((p) => p.items),
    staleTime: 0,
  });
}

/** The latest role check of every mapping, by mapping id. */
export function useMappingChecks() {
  return useQuery({
    queryKey: queryKeys.adminMappingChecks,
    queryFn: adminApi.mappingChecks,
    select: (r) => new Map(r.items.map((c) => [c.mappingId, c])),
    staleTime: 0,
  });
}

/** Checks one mapping's role now; the list of checks is refreshed afterwards. */
export function useCheckMapping() {
  const csrf = useCsrfToken();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (mappingId: string) => adminApi.checkMapping(mappingId, csrf()),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.adminMappingChecks }),
  });
}

export function useTrustPolicy(mappingId: string) {
  return useQuery({ queryKey: queryKeys.trustPolicy(mappingId), queryFn: () => adminApi.trustPolicy(mappingId) });
}

/** After any admin write: mappings, accounts, the change log and the admin's own entitlements may differ. */
function useRefreshAdmin() {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: ['admin'] }), client.invalidateQueries({ queryKey: queryKeys.entitlements })]);
}

/** Saves a mapping: creates (or renames) its account first when a name is given, then creates or updates the mapping. */
export function useSaveMapping() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: async (input: { id?: string; body: CreateMappingBody & UpdateMappingBody; account?: { id: string; name: string } }) => {
      if (input.account) await adminApi.upsertAccount(input.account.id, { name: input.account.name }, csrf());
      return input.id ? adminApi.updateMapping(input.id, input.body, csrf()) : adminApi.createMapping(input.body, csrf());
    },
    onSettled: refresh,
  });
}

/** A one-field change such as `{ enabled: false }`. */
export function useUpdateMapping() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: (input: { id: string; body: UpdateMappingBody }) => adminApi.updateMapping(input.id, input.body, csrf()),
    onSettled: refresh,
  });
}

export function useDeleteMapping() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({ mutationFn: (mappingId: string) => adminApi.deleteMapping(mappingId, csrf()), onSettled: refresh });
}

/** Deletes an account no mapping uses (the server answers 409 ACCOUNT_IN_USE otherwise). */
export function useDeleteAccount() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({ mutationFn: (accountId: string) => adminApi.deleteAccount(accountId, csrf()), onSettled: refresh });
}

export function useRenameAccount() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: (input: { id: string; name: string; controlRoleArn?: string | null }) =>
      adminApi.upsertAccount(input.id, { name: input.name, ...(input.controlRoleArn !== undefined ? { controlRoleArn: input.controlRoleArn } : {}) }, csrf()),
    onSettled: refresh,
  });
}

/** `dryRun: true` only computes the diff; the real import refreshes everything it may have changed. */
export function useImportMappings() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: (input: { yaml: string; dryRun: boolean }) => adminApi.importMappings(input.yaml, input.dryRun, csrf()),
    onSuccess: (result) => (result.dryRun ? undefined : refresh()),
  });
}

/** People whose email or name contains `q` (nothing is fetched for an empty box). */
export function useAdminUsers(q: string) {
  return useQuery({ queryKey: queryKeys.adminUsers(q), queryFn: () => adminApi.users(q), select: (r) => r.items, enabled: q.trim() !== '', staleTime: 0 });
}

/** A person's CLI tokens that still work. */
export function useAdminUserCliTokens(userId: string | null) {
  return useQuery({
    queryKey: queryKeys.adminUserCliTokens(userId ?? ''),
    queryFn: () => adminApi.userCliTokens(userId!),
    select: (r) => r.items,
    enabled: userId !== null,
    staleTime: 0,
  });
}

/** Ends all of a person's browser sessions and revokes all their CLI tokens. */
export function useCutOff() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({ mutationFn: (userId: string) => adminApi.cutOff(userId, csrf()), onSettled: refresh });
}

/** Revokes one CLI token of anyone. */
export function useRevokeCliTokenAsAdmin() {
  const csrf = useCsrfToken();
  const refresh = useRefreshAdmin();
  return useMutation({ mutationFn: (tokenId: string) => adminApi.revokeCliToken(tokenId, csrf()), onSettled: refresh });
}
