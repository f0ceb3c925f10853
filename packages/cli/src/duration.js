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
