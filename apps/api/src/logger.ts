import pino from 'pino';

/**
 * Paths removed from every log line. Secrets never leave memory: keys,
 * session tokens, sign-in tokens, SAML responses, ID tokens and cookies.
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'res.headers.location',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.SessionToken',
  '*.SecretAccessKey',
  '*.SigninToken',
  '*.SAMLResponse',
  '*.id_token',
  '*.idToken',
  '*.code',
  '*.password',
  '*.csrfToken',
  'credentials',
  'consoleUrl',
];

export type Logger = pino.Logger;

/** The process logger: JSON lines, secrets redacted. */
export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'rolegate' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}
