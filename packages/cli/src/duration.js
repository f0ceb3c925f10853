import { MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from '@rolegate/aws-names';
import { CliError, EXIT } from './errors.js';

/**
 * Parses a duration such as `900`, `45m`, `1h`, `1h30m` into seconds.
 * @param {string | undefined} value
 * @returns {number | undefined}
 * @throws {CliError} USAGE for anything else
 */
export function parseDuration(value) {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v);
  if (!m || v === '' || (!m[1] && !m[2] && !m[3])) throw new CliError(`--duration: "${value}" is not a duration (e.g. 900, 45m, 1h, 1h30m)`, EXIT.USAGE);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/**
 * Seconds as the shortest `1h30m`-style text (`parseDuration` reads it back).
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || seconds === 0 ? `${s}s` : ''}`;
}

/**
 * Refuses a --duration outside the role's limits, before any cache lookup or
 * grant: a cached set must never stand in for a duration the role does not
 * allow (the broker refuses such a grant too; this says why, with the limits).
 * @param {number | undefined} seconds
 * @param {{ maxDurationSeconds: number, roleName: string, accountName: string, accountId: string }} ent
 * @throws {CliError} USAGE
 */
export function checkDuration(seconds, ent) {
  if (seconds === undefined) return;
  const max = Math.min(ent.maxDurationSeconds, MAX_SESSION_SECONDS);
  if (seconds < MIN_SESSION_SECONDS || seconds > max) {
    throw new CliError(
      `--duration ${formatDuration(seconds)} is outside the limits of ${ent.roleName} in ${ent.accountName || ent.accountId}: from ${formatDuration(MIN_SESSION_SECONDS)} to ${formatDuration(max)}.`,
      EXIT.USAGE,
      'INVALID_DURATION',
    );
  }
}
