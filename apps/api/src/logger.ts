import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
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

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      /** This request's id (also the `x-request-id` response header). */
      id: string;
      /** The process logger bound to this request: every line carries `reqId`. */
      log: pino.Logger;
    }
  }
}

/**
 * Express middleware, first in the chain: gives the request an id (sent back
 * as `x-request-id`) and `req.log`, a child logger whose every line carries
 * that id, and writes one access line when the response ends (or a warning
 * when the client left before it did). Paths only: query strings can carry
 * OAuth codes and state. Code that logs while serving a request uses
 * `req.log` (handlers pass it on to the use cases that log).
 */
export function requestLogger(log: pino.Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const id = randomUUID();
    req.id = id;
    req.log = log.child({ reqId: id });
    res.setHeader('x-request-id', id);
    const line = (aborted = false) => ({
      req: { method: req.method, path: req.originalUrl.split('?')[0] },
      // A client that left before the response ended was not served: 499
      // (client closed request), never the 200 Express had not sent yet.
      res: aborted
        ? { statusCode: 499, aborted: true, headersSent: res.headersSent, ...(res.headersSent ? { sentStatus: res.statusCode } : {}) }
        : { statusCode: res.statusCode },
      responseTime: Math.round(performance.now() - started),
    });
    res.once('close', () => {
      if (!res.writableFinished) {
        req.log.warn(line(true), 'request aborted by the client');
        return;
      }
      const status = res.statusCode;
      req.log[status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'](line(), 'request completed');
    });
    next();
  };
}

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
