import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api';
import { useMe } from './useMe';

/** One of the caller's active CLI tokens, as `GET /api/cli/tokens` lists it (never the secret). */
export interface CliToken {
  id: string;
  label: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

export const cliTokensKey = ['cli', 'tokens'] as const;

async function send<T>(path: string, init: RequestInit): Promise<T | undefined> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'same-origin', headers: { accept: 'application/json', ...init.headers } });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Could not reach Rolegate. Check your connection and try again.');
  }
  if (res.status === 204) return undefined;
  const payload: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = (payload as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError(
      res.status,
      typeof error?.code === 'string' ? error.code : `HTTP_${res.status}`,
      typeof error?.message === 'string' && error.message ? error.message : `Request failed (HTTP ${res.status}). Please try again.`,
    );
  }
  return payload as T;
}

/** The caller's active CLI tokens, newest first. */
export function useCliTokens() {
  return useQuery({
    queryKey: cliTokensKey,
    queryFn: async () => (await send<{ items: CliToken[] }>('/api/cli/tokens', { method: 'GET' }))?.items ?? [],
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
      await send(`/api/cli/tokens/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { 'x-csrf-token': token } });
    },
    onSettled: () => client.invalidateQueries({ queryKey: cliTokensKey }),
  });
}
