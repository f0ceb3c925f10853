import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PreferencesBody, PreferencesResponse } from '@rolegate/contract';
import { api } from '../api';
import { queryKeys } from '../queryClient';
import { useCsrfToken } from './useCsrfToken';

/** The person's favourites, console region and recently used roles (kept on the server). */
export function usePreferences() {
  return useQuery({ queryKey: queryKeys.preferences, queryFn: api.preferences, staleTime: 0 });
}

/** Saves favourites and region; the screen updates at once and rolls back if the server refuses. */
export function useSavePreferences() {
  const client = useQueryClient();
  const csrf = useCsrfToken();
  return useMutation({
    mutationFn: (body: PreferencesBody) => api.savePreferences(body, csrf()),
    onMutate: async (body) => {
      await client.cancelQueries({ queryKey: queryKeys.preferences });
      const before = client.getQueryData<PreferencesResponse>(queryKeys.preferences);
      if (before) client.setQueryData<PreferencesResponse>(queryKeys.preferences, { ...before, ...body });
      return { before };
    },
    onError: (_err, _body, context) => {
      if (context?.before) client.setQueryData(queryKeys.preferences, context.before);
    },
    onSuccess: (saved) => client.setQueryData(queryKeys.preferences, saved),
  });
}
