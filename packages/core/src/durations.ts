import { DEFAULT_SESSION_SECONDS, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, ROLE_CHAINING_MAX_SECONDS } from '@rolegate/aws-names';
import { AppError } from './errors.js';

/**
 * The session length to request. Durations are validated, never raised or
 * silently lowered: anything outside 900..max is an INVALID_DURATION error
 * raised before any call to AWS.
 */
export function resolveDuration(requested: number | undefined, mappingMaxSeconds: number, opts: { roleChained: boolean } = { roleChained: false }): number {
  const max = Math.min(mappingMaxSeconds, MAX_SESSION_SECONDS, opts.roleChained ? ROLE_CHAINING_MAX_SECONDS : Infinity);
  if (requested === undefined) return Math.min(DEFAULT_SESSION_SECONDS, max);
  if (!Number.isSafeInteger(requested)) {
    throw new AppError('INVALID_DURATION', 'durationSeconds must be a whole number of seconds');
  }
  if (requested < MIN_SESSION_SECONDS || requested > max) {
    throw new AppError('INVALID_DURATION', `durationSeconds must be between ${MIN_SESSION_SECONDS} and ${max} for this role`, {
      min: MIN_SESSION_SECONDS,
      max,
    });
  }
  return requested;
}
