import type { Request, RequestHandler } from 'express';
import type { AppRole, Principal } from '@rolegate/core';
import { AppError, appRolesFor } from '@rolegate/core';

/**
 * The caller: the CLI token's principal when the request authenticated with
 * one (the session is then ignored), otherwise the signed-in session's.
 * With SCIM on, its groups are those SCIM holds for the person now
 * (`req.scimGroups`, set by scim/membership.ts on every request), not those
 * carried at sign-in.
 * @throws AppError UNAUTHENTICATED
 */
export function principalOf(req: Request): Principal {
  const p = req.cliPrincipal ?? req.session?.principal;
  if (!p) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return req.scimGroups ? { ...p, groups: req.scimGroups } : p;
}

/** Requires a signed-in user (and, when given, one of the application roles). */
export function requireUser(rbac: { adminGroups: string[]; auditorGroups: string[] }, role?: AppRole): RequestHandler {
  return (req, _res, next) => {
    const p = principalOf(req);
    if (role && !appRolesFor(p.groups, rbac).includes(role)) {
      throw new AppError('FORBIDDEN', `This needs the ${role} role`);
    }
    next();
  };
}
