import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../api';
import { queryKeys } from '../queryClient';

/** The caller's own grants, newest first, one page per `nextCursor`. */
export function useGrantHistory() {
  return useInfiniteQuery({
    queryKey: queryKeys.grants,
    queryFn: ({ pageParam }) => api.grants(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: (data) => data.pages.flatMap((p) => p.items),
    staleTime: 0,
  });
}
