import { Router, type Request } from 'express';
import type { ErrorRequestHandler } from 'express';
import { consoleLinkQuery } from '@rolegate/contract';
import type { GrantService } from '@rolegate/core';
import { toAppError } from '../middleware/errors.js';
import { noStore, requestContext } from './api.js';
import { parseBody } from './validate.js';
import { renderMessagePage } from './pages.js';

/**
 * The bookmarkable deep link `GET /console/:accountId/:roleName`: signs the
 * user in first when needed, then issues a console grant and redirects.
 */
export function consoleLinkRoutes(deps: { grantService: GrantService }) {
  const r = Router();

  r.get('/:accountId/:roleName', async (req: Request<{ accountId: string; roleName: string }>, res) => {
    if (!req.session?.principal) {
      const back = req.originalUrl;
      res.redirect(302, `/auth/login?returnTo=${encodeURIComponent(back)}`);
      return;
    }
    const q = parseBody(consoleLinkQuery, req.query);
    const result = await deps.grantService.requestGrantByRole(
      req.session.principal,
      {
        accountId: req.params.accountId,
        roleName: req.params.roleName,
        kind: 'console',
        durationSeconds: q.duration,
        destination: q.destination,
      },
      requestContext(req),
    );
    noStore(res);
    res.redirect(302, result.consoleUrl ?? '/');
  });

  const htmlErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = toAppError(err);
    noStore(res);
    res.status(e.status).type('html').send(renderMessagePage('Could not open the console', e.message, e.code));
  };
  r.use(htmlErrors);
  return r;
}
