/** The longest RoleSessionName / SourceIdentity AWS accepts. */
export const SESSION_NAME_MAX_LENGTH = 64;

/** One character AWS accepts in a RoleSessionName or SourceIdentity. */
export const SESSION_NAME_CHAR = /[\w+=,.@-]/;

/** A whole RoleSessionName / SourceIdentity: 2–64 characters of `[\w+=,.@-]`. */
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

/**
 * True when `value` is a valid RoleSessionName / SourceIdentity.
 * @param {string} value
 */
export function isValidSessionName(value) {
  return SESSION_NAME_PATTERN.test(value);
}
