import { isAppError } from '@rolegate/core';
import type { Metrics } from '../observability/metrics.js';

/** A sign-in use case: `complete` verifies the IdP's answer and resolves with the principal. */
interface SignInService {
  complete(...args: never[]): Promise<unknown>;
}

/**
 * Counts completed sign-ins by IdP kind and outcome ("success", or the
 * AppError code such as LOGIN_FAILED / DATABASE_UNAVAILABLE; "INTERNAL" for
 * anything else) without touching the login service.
 */
export function instrumentSignIn<T extends SignInService>(service: T, idp: 'oidc' | 'saml', metrics: Pick<Metrics, 'signIns'>): T {
  const complete = service.complete.bind(service) as (...args: unknown[]) => Promise<unknown>;
  return {
    ...service,
    async complete(...args: unknown[]) {
      try {
        const out = await complete(...args);
        metrics.signIns.inc({ idp, outcome: 'success' });
        return out;
      } catch (err) {
        metrics.signIns.inc({ idp, outcome: isAppError(err) ? err.code : 'INTERNAL' });
        throw err;
      }
    },
  } as T;
}
