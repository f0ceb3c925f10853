import { ROUTES } from '@rolegate/contract';
import { routesAt } from '../http/route.js';
import { Router } from 'express';

/** Liveness and readiness. Not ready while the database cannot be reached or the process is shutting down. */
export function healthRoutes(deps: { ping: (timeoutMs?: number) => Promise<boolean>; isDraining?: () => boolean }) {
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
    const dbOk = await deps.ping(1000);
    res.status(dbOk ? 200 : 503).json({ status: dbOk ? 'ready' : 'unavailable', checks: { database: dbOk ? 'ok' : 'unreachable' } });
  });
  return r;
}
