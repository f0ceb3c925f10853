import { ROUTES } from '@rolegate/contract';
import { routesAt } from '../http/route.js';
import { Router } from 'express';
import type { Database } from '@rolegate/db';

/** Liveness and readiness. Not ready while the database cannot be reached or the process is shutting down. */
export function healthRoutes(deps: { database: Database; isDraining?: () => boolean }) {
  const r = Router();
  const on = routesAt(r, '');
  on(ROUTES.healthz, (_req, res) => {
    res.json({ status: 'ok' });
  });
  on(ROUTES.readyz, async (_req, res) => {
    // Draining: the load balancer should stop sending new requests here.
    if (deps.isDraining?.()) {
      res.status(503).json({ status: 'draining', checks: { database: 'not checked' } });
      return;
    }
    const dbOk = await deps.database.ping(1000);
    res.status(dbOk ? 200 : 503).json({ status: dbOk ? 'ready' : 'unavailable', checks: { database: dbOk ? 'ok' : 'unreachable' } });
  });
  return r;
}
