import { Router, type Request } from 'express';
import { AppError } from '@rolegate/core';
import { isFreshSignIn } from '../auth/step-up.js';
import { closeReviewBody, createRequestBody, decisionBody, extendRequestBody, requestListQuery, reviewQuery, ROUTES } from '@rolegate/contract';
import { routesAt } from '../http/route.js';
import { parseBody } from '../http/parse.js';
import { requestDto } from '../http/dto.js';
import { principalOf } from '../middleware/auth.js';
import type { RequestService } from '../services/request-service.js';
import type { OutboxRepository } from '@rolegate/db';
import { previewOf } from '../notifications/preview.js';

/**
 * Approvals need a recent IdP sign-in (STEP_UP_MAX_AGE_SECONDS): a session
 * cookie left in an unattended browser, or stolen, must not approve access.
 * The answer names where to sign in again and come back to the request.
 */
function requireFresh(req: Request, maxAgeSeconds: number, id: string): void {
  if (isFreshSignIn(req.session?.authTime, Date.now(), maxAgeSeconds)) return;
  const provider = req.session?.principal?.idp ?? 'oidc';
  const loginUrl = `/auth/login?provider=${provider}&fresh=1&returnTo=${encodeURIComponent(`/requests/${id}`)}`;
  throw new AppError('STEP_UP_REQUIRED', `Sign in again (within ${maxAgeSeconds} s) to decide requests`, { loginUrl });
}

/** `/api/requests*` for signed-in people (requireUser and the write guards are the /api mount's). */
export function requestRoutes(deps: { requests: RequestService; stepUpMaxAgeSeconds: number }) {
  const r = Router();
  const on = routesAt(r, '/api');
  const { requests } = deps;

  on(ROUTES.createRequest, async (req, res) => {
    const body = parseBody(createRequestBody, req.body);
    res.status(201).json({ request: requestDto(await requests.create(principalOf(req), body)) });
  });
  on(ROUTES.listRequests, async (req, res) => {
    const q = parseBody(requestListQuery, req.query);
    const page = await requests.list(principalOf(req), q);
    res.set('Cache-Control', 'no-store').json({
      items: page.items.map((i) => ({ ...requestDto(i.view), ...(i.recent ? { recent: i.recent.map((h) => requestDto(h)) } : {}) })),
      nextCursor: page.nextCursor,
    });
  });
  on(ROUTES.getRequest, async (req, res) => {
    res.set('Cache-Control', 'no-store').json({ request: requestDto(await requests.get(principalOf(req), req.params.id)) });
  });
  on(ROUTES.approveRequest, async (req, res) => {
    const body = parseBody(decisionBody, req.body ?? {});
    requireFresh(req, deps.stepUpMaxAgeSeconds, req.params.id);
    res.json({ request: requestDto(await requests.approve(principalOf(req), req.params.id, body.comment)) });
  });
  on(ROUTES.denyRequest, async (req, res) => {
    const body = parseBody(decisionBody, req.body ?? {});
    requireFresh(req, deps.stepUpMaxAgeSeconds, req.params.id);
    res.json({ request: requestDto(await requests.deny(principalOf(req), req.params.id, body.comment)) });
  });
  on(ROUTES.cancelRequest, async (req, res) => {
    res.json({ request: requestDto(await requests.cancel(principalOf(req), req.params.id)) });
  });
  on(ROUTES.endRequest, async (req, res) => {
    res.json({ request: requestDto(await requests.end(principalOf(req), req.params.id)) });
  });
  on(ROUTES.extendRequest, async (req, res) => {
    const body = parseBody(extendRequestBody, req.body);
    res.status(201).json({ request: requestDto(await requests.extend(principalOf(req), req.params.id, body)) });
  });
  return r;
}

/** `/api/admin/reviews*`: the break-glass review queue (requireUser(admin) is the mount's). */
export function reviewRoutes(deps: { requests: RequestService; outbox: Pick<OutboxRepository, 'recent'> }) {
  const r = Router();
  const on = routesAt(r, '/api/admin');
  on(ROUTES.adminOutbox, async (_req, res) => {
    const rows = await deps.outbox.recent(100);
    res.set('Cache-Control', 'no-store').json({
      items: rows.map((o) => ({
        ...o,
        createdAt: o.createdAt.toISOString(),
        nextAttemptAt: o.nextAttemptAt.toISOString(),
        deliveredAt: o.deliveredAt?.toISOString() ?? null,
        message: previewOf(o),
      })),
    });
  });
  on(ROUTES.adminReviews, async (req, res) => {
    const q = parseBody(reviewQuery, req.query);
    const items = await deps.requests.reviews(principalOf(req), q.status);
    res.set('Cache-Control', 'no-store').json({ items: items.map((i) => ({ ...requestDto(i.view), overdue: i.overdue })) });
  });
  on(ROUTES.adminCloseReview, async (req, res) => {
    const body = parseBody(closeReviewBody, req.body);
    res.json({ request: requestDto(await deps.requests.closeReview(principalOf(req), req.params.id, body.note)) });
  });
  return r;
}
