import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateRequestBody } from '@rolegate/contract';
import { requestsApi } from '../api';
import { queryKeys } from '../queryClient';
import { useCsrfToken } from './useCsrfToken';

/** The caller's requests (`mine`) or the approver inbox (`approver`), refreshed every 15 s so statuses move on their own. */
export function useRequestList(scope: 'mine' | 'approver', status?: string) {
  return useQuery({ queryKey: [...queryKeys.requests, scope, status ?? ''], queryFn: () => requestsApi.list(scope, status), refetchInterval: 15_000 });
}

/**
 * How many pending requests the user can approve now (the Approvals badge):
 * the inbox's pending page, counted by what the server says the caller may do
 * (never their own, never twice, only at their stage). Shares the inbox's cache.
 */
export function useActionableCount(): number {
  const list = useRequestList('approver', 'pending');
  return list.data?.items.filter((r) => r.can.approve).length ?? 0;
}

export function useRequest(requestId: string) {
  return useQuery({ queryKey: queryKeys.request(requestId), queryFn: () => requestsApi.get(requestId), select: (r) => r.request });
}

export function useReviews() {
  return useQuery({ queryKey: queryKeys.reviews, queryFn: requestsApi.reviews, select: (r) => r.items, refetchInterval: 30_000 });
}

/** Every request-changing call; each refreshes requests, entitlements (windows) and the review queue. */
export function useRequestActions() {
  const csrf = useCsrfToken();
  const client = useQueryClient();
  const settled = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.requests }),
      client.invalidateQueries({ queryKey: queryKeys.entitlements }),
      client.invalidateQueries({ queryKey: queryKeys.reviews }),
    ]);
  return {
    create: useMutation({ mutationFn: (body: CreateRequestBody) => requestsApi.create(body, csrf()), onSettled: settled }),
    decide: useMutation({
      mutationFn: (v: { id: string; decision: 'approve' | 'deny'; comment: string }) => requestsApi.decide(v.id, v.decision, v.comment, csrf()),
      onSettled: settled,
    }),
    act: useMutation({ mutationFn: (v: { id: string; action: 'cancel' | 'end' }) => requestsApi.act(v.id, v.action, csrf()), onSettled: settled }),
    extend: useMutation({
      mutationFn: (v: { id: string; durationSeconds: number; reason: string }) =>
        requestsApi.extend(v.id, { durationSeconds: v.durationSeconds, reason: v.reason }, csrf()),
      onSettled: settled,
    }),
    closeReview: useMutation({ mutationFn: (v: { id: string; note: string }) => requestsApi.closeReview(v.id, v.note, csrf()), onSettled: settled }),
  };
}
