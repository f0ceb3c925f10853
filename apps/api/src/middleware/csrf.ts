import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

/**
 * Synchronizer-token CSRF protection (csrf-sync): the token lives in the
 * server-side session and must come back in `x-csrf-token` (or the `_csrf`
 * form field of a plain HTML form) on every state-changing request.
 */
export function createCsrf() {
  return csrfSync({
    getTokenFromRequest: (req: Request) => {
      const header = req.headers['x-csrf-token'];
      if (typeof header === 'string') return header;
      const body = req.body as { _csrf?: unknown } | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
    errorConfig: { statusCode: 403, message: 'Missing or invalid CSRF token', code: 'EBADCSRFTOKEN' },
  });
}

export type Csrf = ReturnType<typeof createCsrf>;
