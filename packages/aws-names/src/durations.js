/** AWS's shortest role session, in seconds (15 minutes). */
export const MIN_SESSION_SECONDS = 900;

/** AWS's longest role session, in seconds (12 hours); a role's own maximum may be lower. */
export const MAX_SESSION_SECONDS = 43200;

/** AWS caps sessions obtained by role chaining (a role assuming a role) at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** What AssumeRole gives when no duration is asked for. */
export const DEFAULT_SESSION_SECONDS = 3600;

/**
 * True when `seconds` is a whole number of seconds AWS could grant for some
 * role (900..43200); the role's own maximum is checked elsewhere.
 * @param {number} seconds
 */
export function isSessionDuration(seconds) {
  return Number.isSafeInteger(seconds) && seconds >= MIN_SESSION_SECONDS && seconds <= MAX_SESSION_SECONDS;
}
