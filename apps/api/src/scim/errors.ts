import type { ErrorRequestHandler } from 'express';
import { isAppError } from '@rolegate/core';
import { httpStatusOf, toAppError } from '../middleware/errors.js';
import type { Logger } from '../logger.js';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** RFC 7644 3.12 scimType values we answer with. */
export type ScimType = 'invalidFilter' | 'invalidValue' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'uniqueness' | 'mutability' | 'tooMany';

/**
 * An error in SCIM's own wire format (RFC 7644 3.12). SCIM clients read
 * `status`, `scimType` and `detail`, not Rolegate's `{ error: { code } }`,
 * so the /scim/v2 router has its own error type and handler; every other
 * error (database down, body too large) is translated there.
 */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: ScimType | null,
    detail: string,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

/** The SCIM error body. */
export function scimErrorBody(status: number, scimType: ScimType | null, detail: string) {
  return { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** Turns anything thrown in the SCIM router into a SCIM error response, and notes it for the status screen. */
export function scimErrorHandler(
  log: Logger,
  note: (e: { method: string; path: string; status: number; scimType: string | null; detail: string }) => void,
): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let status: number;
    let scimType: ScimType | null = null;
    let detail: string;
    if (err instanceof ScimError) {
      ({ status, scimType } = err);
      detail = err.message;
    } else {
      const app = toAppError(err);
      status = httpStatusOf(app);
      detail = app.message;
      if (isAppError(app, 'INVALID_JSON')) scimType = 'invalidSyntax';
      if (status >= 500) (req.log ?? log).error({ err: app.code === 'INTERNAL' ? err : undefined, code: app.code, path: req.path }, 'SCIM request failed');
    }
    if (status !== 401 && status !== 429) note({ method: req.method, path: req.originalUrl.split('?')[0] ?? req.path, status, scimType, detail });
    if (res.headersSent) return;
    if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="rolegate-scim"');
    if (status === 503) res.set('Retry-After', '5');
    res
      .status(status)
      .type(SCIM_CONTENT_TYPE)
      .send(JSON.stringify(scimErrorBody(status, scimType, detail)));
  };
}
