import { Router, type Request } from 'express';
import { createScimTokenBody, ROUTES } from '@rolegate/contract';
import { AppError } from '@rolegate/core';
import type { ScimChangeRecord, ScimRepository, ScimTokenRecord } from '@rolegate/db';
import { principalOf } from '../middleware/auth.js';
import { parseBody } from '../http/parse.js';
import { routesAt } from '../http/route.js';
import { newScimToken, scimTokenHash } from './tokens.js';

export interface ScimAdminDeps {
  repo: ScimRepository;
  /** null when SCIM is off: status answers, everything else is 404. */
  settings: { tokenKey: Buffer; signInGroups: 'ignore' | 'intersect'; groupName: 'displayName' | 'externalId' } | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const tokenDto = (t: ScimTokenRecord) => ({
  id: t.id,
  label: t.label,
  createdBy: t.createdBy,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: iso(t.lastUsedAt),
  revokedAt: iso(t.revokedAt),
});
export const scimChangeDto = (c: ScimChangeRecord) => ({ ...c, createdAt: c.createdAt.toISOString() });

/** `/api/admin/scim/*` (mounted behind the admin RBAC, same-origin and CSRF guards). */
export function scimAdminRoutes(deps: ScimAdminDeps): Router {
  const r = Router();
  const on = routesAt(r, '/api/admin/scim');
  const { repo } = deps;
  const enabled = (req: Request) => {
    if (!deps.settings) throw new AppError('NOT_FOUND', `SCIM is not enabled (SCIM_ENABLED): no route for ${req.method} ${req.path}`);
    return deps.settings;
  };

  on(ROUTES.adminScimStatus, async (_req, res) => {
    const s = await repo.status();
    res.set('Cache-Control', 'no-store').json({
      enabled: deps.settings !== null,
      signInGroups: deps.settings?.signInGroups ?? null,
      groupName: deps.settings?.groupName ?? null,
      provisioned: s.lastChangeAt !== null,
      users: s.users,
      activeUsers: s.activeUsers,
      groups: s.groups,
      memberships: s.memberships,
      activeTokens: s.activeTokens,
      lastChangeAt: iso(s.lastChangeAt),
      recentErrors: s.recentErrors.map((e) => ({ ...e, at: e.at.toISOString() })),
    });
  });

  on(ROUTES.adminScimUsers, async (_req, res) => {
    const { total, rows } = await repo.listUsers({ filter: null, startIndex: 1, count: 1000 });
    res.set('Cache-Control', 'no-store').json({
      total,
      items: rows.map((u) => ({
        id: u.id,
        userName: u.userName,
        displayName: u.displayName,
        email: u.email,
        externalId: u.externalId,
        active: u.active,
        groups: u.groups.map((g) => g.displayName),
        updatedAt: u.updatedAt.toISOString(),
      })),
    });
  });

  on(ROUTES.adminScimGroups, async (_req, res) => {
    const { total, rows } = await repo.listGroups({ filter: null, startIndex: 1, count: 1000, withMembers: true });
    res.set('Cache-Control', 'no-store').json({
      total,
      items: rows.map((g) => ({
        id: g.id,
        displayName: g.displayName,
        externalId: g.externalId,
        memberCount: g.memberCount,
        members: (g.members ?? []).map((m) => m.userName),
        updatedAt: g.updatedAt.toISOString(),
      })),
    });
  });

  on(ROUTES.adminScimChanges, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: (await repo.listChanges({ limit: 100 })).map(scimChangeDto) });
  });

  on(ROUTES.adminScimTokens, async (req, res) => {
    enabled(req);
    res.set('Cache-Control', 'no-store').json({ items: (await repo.listTokens()).map(tokenDto) });
  });

  on(ROUTES.adminScimCreateToken, async (req, res) => {
    const settings = enabled(req);
    const body = parseBody(createScimTokenBody, req.body);
    const secret = newScimToken();
    const token = await repo.createToken(body.label, scimTokenHash(settings.tokenKey, secret), principalOf(req).email);
    // The secret leaves this once, in this response; nothing stores or logs it.
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .json({ token: tokenDto(token), secret });
  });

  on(ROUTES.adminScimRevokeToken, async (req, res) => {
    enabled(req);
    if (!(await repo.revokeToken(req.params.id, principalOf(req).email))) throw new AppError('NOT_FOUND', 'No such active SCIM token');
    res.json({ revoked: true });
  });

  r.use((req, _res, next) => next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`)));
  return r;
}

/** `/api/audit/scim/changes` for auditors (the same log, read-only). */
export function scimAuditRoutes(deps: { repo: ScimRepository }): Router {
  const r = Router();
  const on = routesAt(r, '/api/audit/scim');
  on(ROUTES.auditScimChanges, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: (await deps.repo.listChanges({ limit: 500 })).map(scimChangeDto) });
  });
  return r;
}
