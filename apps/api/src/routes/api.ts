import { routesAt } from '../http/route.js';
import { Router } from 'express';
import { AppError, appRolesFor, policyOf, type AccessWindowSource, type GrantService } from '@rolegate/core';
import { createGrantRequest, myGrantsQuery, preferencesBody, ROUTES } from '@rolegate/contract';
import { filterOf } from './audit.js';
import type { AuditGrantRepository, PreferencesRepository } from '@rolegate/db';
import { principalOf, requireUser } from '../middleware/auth.js';
import type { Csrf } from '../middleware/csrf.js';
import type { GrantIdempotency } from '../services/grant-idempotency.js';
import { entitlementDto, grantDto } from '../http/dto.js';
import { parseBody } from '../http/parse.js';
import { noStore } from '../http/no-store.js';
import { requestContext } from '../http/request-context.js';

/**
 * What `rolegate configure` writes into the caller's AWS profiles: the
 * broker's region always, its STS endpoint only in demo mode (the local
 * emulator, where demo credentials are valid). A production broker may reach
 * STS through a private (VPC) endpoint; handing that address to laptops would
 * leak internal topology and break their calls, so it is never sent.
 */
export function awsClientDefaultsOf(config: { demo: boolean; aws: { region: string; stsEndpoint: string | undefined } }): {
  region: string;
  stsEndpoint?: string;
} {
  return { region: config.aws.region, ...(config.demo && config.aws.stsEndpoint ? { stsEndpoint: config.aws.stsEndpoint } : {}) };
}

/** `/api/*` for signed-in employees. */
export function apiRoutes(deps: {
  grantService: GrantService;
  /** Idempotency-Key handling of POST /api/grants. */
  idempotency: GrantIdempotency;
  /** Grant history reads (exact filters, keyset pages). */
  history: AuditGrantRepository;
  csrf: Csrf;
  rbac: { adminGroups: string[]; auditorGroups: string[] };
  demo: boolean;
  /** Region (and, in demo mode, STS endpoint) for the caller's AWS tools; see awsClientDefaults. */
  awsDefaults?: { region: string; stsEndpoint?: string };
  /** Portal preferences (favourites, region) and recently used roles. */
  preferences?: PreferencesRepository;
  /** Open access windows of approval roles, shown with each entitlement. */
  windows?: AccessWindowSource;
}) {
  const r = Router();
  const on = routesAt(r, '/api');
  r.use(requireUser(deps.rbac));

  on(ROUTES.me, (req, res) => {
    const p = principalOf(req);
    res.set('Cache-Control', 'no-store').json({
      user: { id: p.userId, email: p.email, displayName: p.displayName, subject: p.subject, idp: p.idp, groups: p.groups },
      roles: appRolesFor(p.groups, deps.rbac),
      csrfToken: deps.csrf.generateToken(req),
      demo: deps.demo,
    });
  });

  if (deps.preferences) {
    const prefs = deps.preferences;
    // The caller's own preferences only: the user id comes from the session, never from the request.
    on(ROUTES.getPreferences, async (req, res) => {
      const userId = principalOf(req).userId;
      const [saved, recent] = await Promise.all([prefs.get(userId), prefs.recentMappingIds(userId)]);
      res.set('Cache-Control', 'no-store').json({ ...saved, recent });
    });
    on(ROUTES.putPreferences, async (req, res) => {
      const body = parseBody(preferencesBody, req.body);
      const userId = principalOf(req).userId;
      const [saved, recent] = await Promise.all([prefs.put(userId, body), prefs.recentMappingIds(userId)]);
      res.set('Cache-Control', 'no-store').json({ ...saved, recent });
    });
  }

  on(ROUTES.entitlements, async (req, res) => {
    const p = principalOf(req);
    const items = await deps.grantService.entitlements(p);
    // Approval roles carry the caller's open access window (if any).
    const windows = await Promise.all(items.map((m) => (policyOf(m).access === 'approval' && deps.windows ? deps.windows.activeWindow(p.userId, m.id) : null)));
    res.json({
      items: items.map((m, i) => entitlementDto(m, m.maxDurationSeconds, windows[i] ?? null)),
      ...(deps.awsDefaults ? { aws: deps.awsDefaults } : {}),
    });
  });

  on(ROUTES.createGrant, async (req, res) => {
    const body = parseBody(createGrantRequest, req.body);
    const principal = principalOf(req);
    const result = await deps.idempotency.run(principal.userId, req.get('idempotency-key'), body, () =>
      deps.grantService.requestGrant(principal, body, requestContext(req)),
    );
    noStore(res);
    res.status(201).json({
      grant: grantDto(result.grant),
      ...(result.consoleUrl ? { consoleUrl: result.consoleUrl } : {}),
      ...(result.credentials ? { credentials: { ...result.credentials, expiration: result.credentials.expiration.toISOString() } } : {}),
    });
  });

  on(ROUTES.listGrants, async (req, res) => {
    // The caller's own history, with the auditor's filters; the user filter is always the caller.
    const q = parseBody(myGrantsQuery, req.query);
    const page = await deps.history.list({ ...filterOf(q), user: principalOf(req).userId }, { limit: q.limit, cursor: q.cursor });
    res.json({ items: page.items.map(grantDto), nextCursor: page.nextCursor });
  });

  r.use((req, _res, next) => next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`)));
  return r;
}
