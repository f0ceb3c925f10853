import { Router } from 'express';
import { revocationListQuery, revokeGrantBody, ROUTES } from '@rolegate/contract';
import { routesAt } from '../http/route.js';
import { parseBody } from '../http/parse.js';
import { principalOf } from '../middleware/auth.js';
import type { RevocationService } from '../services/revocation-service.js';

/** `/api/grants/:id/revoke` and `/api/grants/:id/status` (the /api mount's guards: session or bearer, CSRF for sessions). */
export function grantRevocationRoutes(deps: { revocations: RevocationService }) {
  const r = Router();
  const on = routesAt(r, '/api');
  on(ROUTES.revokeGrant, async (req, res) => {
    const body = parseBody(revokeGrantBody, req.body ?? {});
    res.status(202).json({ revocation: await deps.revocations.revokeGrant(principalOf(req), req.params.id, body.reason) });
  });
  on(ROUTES.grantStatus, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await deps.revocations.grantStatus(principalOf(req), req.params.id));
  });
  return r;
}

/** `/api/admin/revocations` (behind the admin mount's RBAC). */
export function adminRevocationRoutes(deps: { revocations: RevocationService }) {
  const r = Router();
  const on = routesAt(r, '/api/admin');
  on(ROUTES.adminRevocations, async (req, res) => {
    const q = parseBody(revocationListQuery, req.query);
    res.set('Cache-Control', 'no-store').json({ items: await deps.revocations.list(q.status) });
  });
  return r;
}

/** `/api/audit/revocations` (behind the audit mount's RBAC): the same list for auditors. */
export function auditRevocationRoutes(deps: { revocations: RevocationService }) {
  const r = Router();
  const on = routesAt(r, '/api/audit');
  on(ROUTES.auditRevocations, async (req, res) => {
    const q = parseBody(revocationListQuery, req.query);
    res.set('Cache-Control', 'no-store').json({ items: await deps.revocations.list(q.status) });
  });
  return r;
}
