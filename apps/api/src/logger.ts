import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
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
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.clientSecret',
  '*.sessionKey',
  '*.Session',
  '*.cookie',
  '*.authorization',
  'SAMLResponse',
  'id_token',
  'credentials',
  'consoleUrl',
  'signInUrl',
];

/** The request being served, so that every line logged while serving it carries its id. */
const requestScope = new AsyncLocalStorage<{ reqId: string }>();

/**
 * Express middleware (after pino-http has assigned `req.id`): runs the rest
 * of the request inside a scope whose id the logger's mixin adds to every
 * line — including lines from services that only hold the root logger.
 */
export const bindRequestId: RequestHandler = (req, _res, next) => {
  requestScope.run({ reqId: String(req.id) }, next);
};

export type Logger = pino.Logger;

/** The process logger: JSON lines, secrets redacted. */
export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'rolegate' },
      mixin: () => {
        const scope = requestScope.getStore();
        return scope ? { reqId: scope.reqId } : {};
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}
