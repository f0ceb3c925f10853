import type { RequestHandler, Router } from 'express';
import type { Repositories } from '@rolegate/db';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { scimAdminRoutes, scimAuditRoutes } from './admin-routes.js';
import { effectiveGroups, scimGroupsMiddleware } from './membership.js';
import { scimRoutes } from './routes.js';
import { scimTokenKey } from './tokens.js';

/** The pieces of SCIM provisioning app.ts mounts: the protocol, the group resolver (both null when off), the admin and audit routes. */
export interface ScimFeature {
  /** `/scim/v2` (mount before the session and the app's body parsers). */
  protocol: Router | null;
  /** Sets req.scimGroups (mount after the session and the CLI bearer middleware). */
  groups: RequestHandler | null;
  /** A person's groups as SCIM makes them (for callers without a session: approvals from Slack); null when SCIM is off. */
  groupsOf: ((who: { email: string; groups: readonly string[] }) => Promise<readonly string[]>) | null;
  /** `/api/admin/scim` (behind the admin guards, before the admin router). */
  admin: Router;
  /** `/api/audit/scim` (behind the auditor guards, before the audit router). */
  audit: Router;
}

/** Builds SCIM provisioning from the config (SCIM_ENABLED and friends). */
export function createScimFeature(deps: {
  config: Readonly<Config>;
  repos: Pick<Repositories, 'scim' | 'rateLimits'>;
  log: Logger;
  afterCutOff: () => void;
}): ScimFeature {
  const { config } = deps;
  const repo = deps.repos.scim;
  const scim = config.scim;
  const tokenKey = scim ? scimTokenKey(scim.tokenSecret) : null;
  return {
    protocol:
      scim && tokenKey
        ? scimRoutes({
            repo,
            tokenKey,
            baseUrl: `${config.publicUrl}/scim/v2`,
            bodyLimit: scim.bodyLimit,
            rateLimit: {
              repo: deps.repos.rateLimits,
              windowSeconds: config.rateLimits.windowSeconds,
              requestsPerIp: scim.requestsPerIp,
              failuresPerIp: config.rateLimits.bearerFailuresPerIp,
            },
            afterCutOff: deps.afterCutOff,
            log: deps.log,
          })
        : null,
    groups: scim ? scimGroupsMiddleware({ repo, settings: { signInGroups: scim.signInGroups, groupName: scim.groupName } }) : null,
    groupsOf: scim
      ? async (who) =>
          effectiveGroups(who.groups, await repo.membershipOf(who.email), { signInGroups: scim.signInGroups, groupName: scim.groupName }) ?? who.groups
      : null,
    admin: scimAdminRoutes({ repo, settings: scim && tokenKey ? { tokenKey, signInGroups: scim.signInGroups, groupName: scim.groupName } : null }),
    audit: scimAuditRoutes({ repo }),
  };
}
