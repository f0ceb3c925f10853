/** An AWS account id: exactly 12 ASCII digits (leading zeros are part of it). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/**
 * True when `value` is a 12-digit AWS account id.
 * @param {string} value
 */
export function isAccountId(value) {
  return ACCOUNT_ID_PATTERN.test(value);
}
