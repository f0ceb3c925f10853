import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, isUnauthenticated } from './api';

export const queryKeys = {
  me: ['me'] as const,
  providers: ['auth', 'providers'] as const,
  entitlements: ['entitlements'] as const,
  preferences: ['preferences'] as const,
  grants: ['grants'] as const,
  adminMappings: ['admin', 'mappings'] as const,
  adminAccounts: ['admin', 'accounts'] as const,
  adminMappingChecks: ['admin', 'mapping-checks'] as const,
  adminChanges: ['admin', 'changes'] as const,
  adminUsers: (q: string) => ['admin', 'users', q] as const,
  adminUserCliTokens: (userId: string) => ['admin', 'users', userId, 'cli-tokens'] as const,
  trustPolicy: (mappingId: string) => ['admin', 'trust-policy', mappingId] as const,
  auditGrants: (filters: object) => ['audit', 'grants', filters] as const,
  auditGrant: (grantId: string) => ['audit', 'grant', grantId] as const,
  requests: ['requests'] as const,
  request: (requestId: string) => ['requests', 'one', requestId] as const,
  reviews: ['admin', 'reviews'] as const,
  revocations: (status: string) => ['admin', 'revocations', status] as const,
};

/** Client errors will not fix themselves; retry only network and server errors. */
function shouldRetry(failureCount: number, err: unknown): boolean {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500) return false;
  return failureCount < 2;
}

/**
 * One client for the app. When any call other than `/api/me` answers 401 (the
 * session expired or was revoked) or the CSRF token is refused, `/api/me` is
 * refetched, which brings back the sign-in screen or a fresh token.
 */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false, staleTime: 30_000 },
      mutations: { retry: false },
    },
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (isUnauthenticated(err) && query.queryKey[0] !== queryKeys.me[0]) {
          void client.invalidateQueries({ queryKey: queryKeys.me });
        }
      },
    }),
    mutationCache: new MutationCache({
      onError: (err) => {
        if (isUnauthenticated(err) || (err instanceof ApiError && err.code === 'CSRF_INVALID')) {
          void client.invalidateQueries({ queryKey: queryKeys.me });
        }
      },
    }),
  });
  return client;
}
