import type { RequestHandler } from 'express';
import type { ScimMembership, ScimRepository } from '@rolegate/db';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      /** With SCIM on: the caller's groups as SCIM says (principalOf uses them instead of the sign-in's). */
      scimGroups?: string[];
    }
  }
}

export interface ScimGroupSettings {
  /** `ignore`: only SCIM groups count; `intersect`: a group counts when both the sign-in and SCIM carry it. */
  signInGroups: 'ignore' | 'intersect';
  /** Which attribute of a SCIM group mappings name: its displayName, or its externalId (Entra's object id). */
  groupName: 'displayName' | 'externalId';
}

/**
 * The groups a signed-in person has when SCIM is the truth. Pure.
 * Until the IdP's first push, the sign-in's groups stand (an admin must be
 * able to sign in and make the first token); after it, a person SCIM does not
 * know, or knows as inactive, has no groups at all. Group names match exactly
 * (invariant 3): no case folding between SCIM and mappings.
 */
export function effectiveGroups(signInGroups: readonly string[], membership: ScimMembership, settings: ScimGroupSettings): string[] | undefined {
  if (!membership.provisioned) return undefined;
  const scim = new Set(
    membership.groups
      .map((g) => (settings.groupName === 'externalId' ? g.externalId : g.displayName))
      .filter((g): g is string => typeof g === 'string' && g !== ''),
  );
  if (settings.signInGroups === 'intersect') return signInGroups.filter((g) => scim.has(g));
  return [...scim].sort();
}

/**
 * Looks up the caller's SCIM groups on every request that has a principal
 * (browser session or CLI token), so a membership removed by the IdP counts
 * from the very next request. Mount after the session and the CLI bearer
 * middleware.
 */
export function scimGroupsMiddleware(deps: { repo: ScimRepository; settings: ScimGroupSettings }): RequestHandler {
  return async (req, _res, next) => {
    const p = req.cliPrincipal ?? req.session?.principal;
    if (p) {
      const groups = effectiveGroups(p.groups, await deps.repo.membershipOf(p.email), deps.settings);
      if (groups) req.scimGroups = groups;
    }
    next();
  };
}
