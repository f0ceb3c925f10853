import type { RateLimitRepository, SamlRepository, SessionRepository } from '@rolegate/db';
import type { Logger } from './logger.js';
import { runEvery } from './periodic.js';

export interface Housekeeping {
  /** One sweep; resolves with what was deleted. */
  runOnce(): Promise<{ sessions: number; saml: number; rateLimits: number }>;
  /** Stops the timer; resolves once a sweep in flight has finished. */
  stop(): Promise<void>;
}

/**
 * Deletes rows that only matter until they expire — browser sessions, login
 * transactions, SAML request ids, consumed SAML assertions and ended
 * rate-limit windows — so these
 * tables stay small. Every instance may run it: the deletes are idempotent.
 * A failed sweep is logged and retried at the next interval.
 */
export function startHousekeeping(deps: {
  sessions: Pick<SessionRepository, 'purgeExpired'>;
  saml: Pick<SamlRepository, 'purgeExpired'>;
  rateLimits: Pick<RateLimitRepository, 'purgeExpired'>;
  log: Pick<Logger, 'info' | 'warn'>;
  intervalMs?: number;
}): Housekeeping {
  async function runOnce() {
    const sessions = await deps.sessions.purgeExpired();
    const saml = Number(await deps.saml.purgeExpired());
    const rateLimits = await deps.rateLimits.purgeExpired();
    if (sessions + saml + rateLimits > 0) deps.log.info({ sessions, saml, rateLimits }, 'expired rows purged');
    return { sessions, saml, rateLimits };
  }
  const loop = runEvery(deps.intervalMs ?? 10 * 60 * 1000, runOnce, (err) => deps.log.warn({ err }, 'housekeeping failed'));
  return { runOnce, stop: () => loop.stop() };
}
