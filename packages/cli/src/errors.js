/** Exit codes of `rolegate`, stable for scripts. */
export const EXIT = Object.freeze({
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  NOT_LOGGED_IN: 3,
  TOKEN_INVALID: 4,
  NOT_ENTITLED: 5,
  BROKER_UNREACHABLE: 6,
  REASON_REQUIRED: 7,
  /** The role needs an approved request and none is open (or it was denied, expired or timed out). */
  APPROVAL_REQUIRED: 8,
  /** The cached credentials' grant was revoked (or its person cut off): they were deleted. */
  REVOKED: 9,
});

/** A failure to report to the user: a one-line message and an exit code. */
export class CliError extends Error {
  /**
   * @param {string} message
   * @param {number} exitCode one of EXIT
   * @param {string} [code] the broker's error code, when it sent one
   */
  constructor(message, exitCode = EXIT.FAILURE, code) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/**
 * Turns a broker error body into a CliError with the matching exit code.
 * @param {number} status HTTP status
 * @param {unknown} body parsed JSON (or undefined)
 * @returns {CliError}
 */
export function brokerError(status, body) {
  const err = /** @type {{ error?: { code?: unknown, message?: unknown } } | undefined} */ (body)?.error;
  const code = typeof err?.code === 'string' ? err.code : `HTTP_${status}`;
  const message = typeof err?.message === 'string' && err.message ? err.message : `The broker answered HTTP ${status}`;
  switch (code) {
    case 'UNAUTHENTICATED':
      // The broker's message usually says what to run already; say it once.
      return new CliError(
        /rolegate login/.test(message)
          ? `Your CLI token has expired or was revoked: ${message}.`
          : `Your CLI token has expired or was revoked (${message}). Run \`rolegate login\`.`,
        EXIT.TOKEN_INVALID,
        code,
      );
    case 'NOT_ENTITLED':
      return new CliError(`Not entitled: ${message}`, EXIT.NOT_ENTITLED, code);
    case 'INVALID_DURATION':
      return new CliError(`--duration: ${message}`, EXIT.USAGE, code);
    case 'REASON_REQUIRED':
      return new CliError(`${message}: pass --reason "why you need it".`, EXIT.REASON_REQUIRED, code);
    case 'APPROVAL_REQUIRED':
    case 'WINDOW_ENDING':
      return new CliError(`${message}: run \`rolegate request\` (or pass --request-if-needed).`, EXIT.APPROVAL_REQUIRED, code);
    default:
      return new CliError(`${message} (${code})`, EXIT.FAILURE, code);
  }
}
