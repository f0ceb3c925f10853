import { routesAt } from '../http/route.js';
import { Router, type Request, type Response } from 'express';
import { AppError, GRANT_ID_TAG, type AuditFilter } from '@rolegate/core';
import { auditExportQuery, auditGrantsQuery, ROUTES } from '@rolegate/contract';
import type { AuditGrantRepository, RevocationRepository } from '@rolegate/db';
import type { Logger } from '../logger.js';
import { principalOf } from '../middleware/auth.js';
import { streamGrantExport, type ExportSlots } from '../services/audit-export.js';
import { grantDto } from '../http/dto.js';
import { parseBody } from '../http/parse.js';

/** The filter part of a parsed audit query (exact matches only). */
export function filterOf(q: AuditFilter): AuditFilter {
  return {
    user: q.user,
    accountId: q.accountId,
    roleArn: q.roleArn,
    role: q.role,
    status: q.status,
    kind: q.kind,
    requestId: q.requestId,
    requestStatus: q.requestStatus,
    from: q.from,
    to: q.to,
  };
}

/**
 * `/api/audit/*`, mounted behind requireUser(rbac, 'auditor'). Reads only:
 * grant history (denied and failed attempts included), one grant with its
 * CloudTrail keys, and streamed CSV / NDJSON exports.
 */
export function auditRoutes(deps: {
  grants: AuditGrantRepository;
  /** Who revoked a grant at AWS (its detail page). */
  revocations: Pick<RevocationRepository, 'forGrant'>;
  log: Logger;
  /** Running-export slots (per user and per instance) and how long a download may move no bytes. */
  exports: { slots: ExportSlots; idleReaderTimeoutMs: number };
}) {
  const r = Router();
  const on = routesAt(r, '/api/audit');

  on(ROUTES.auditGrants, async (req, res) => {
    const q = parseBody(auditGrantsQuery, req.query);
    const page = await deps.grants.list(filterOf(q), { limit: q.limit, cursor: q.cursor });
    res.set('Cache-Control', 'no-store').json({ items: page.items.map(grantDto), nextCursor: page.nextCursor });
  });

  on(ROUTES.auditExport, async (req, res) => {
    const q = parseBody(auditExportQuery, req.query);
    const release = deps.exports.slots.tryAcquire(principalOf(req).userId);
    if (!release) throw new AppError('EXPORT_BUSY', 'Too many audit exports are running; wait for one to finish and try again');
    try {
      await exportTo(req, res, q);
    } finally {
      release();
    }
  });

  async function exportTo(req: Request, res: Response, q: ReturnType<typeof auditExportQuery.parse>) {
    // Opens the COPY before any header is sent: a database that is down is still a JSON 503.
    const source = await deps.grants.openExport(filterOf(q), q.format);
    // A client that stops reading stalls the socket: after this long with no bytes moved and
    // bytes waiting for it, the download is ended (incomplete) and its connection and slot are
    // freed. With nothing waiting, the database is the slow side (a large sort before the first
    // row): keep waiting; EXPORT_STATEMENT_TIMEOUT_MS bounds that.
    const idle = () => {
      const waiting = res.writableNeedDrain || (res.socket?.writableLength ?? 0) > 0;
      if (!waiting) {
        res.setTimeout(deps.exports.idleReaderTimeoutMs, idle);
        return;
      }
      req.log.warn({ path: req.path }, 'audit export: the client read nothing for too long; ending the download');
      res.destroy();
    };
    res.setTimeout(deps.exports.idleReaderTimeoutMs, idle);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `attachment; filename="rolegate-grants-${stamp}.${q.format}"`)
      .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      // The client learns at once that its download started, even while a large sort runs.
      .flushHeaders();
    try {
      await streamGrantExport(source, res, q.format);
    } catch (err) {
      // Headers are gone: pipeline has destroyed the response, so the client sees an incomplete
      // download, never a short "complete" file. A client that left is not an error.
      if (req.destroyed && !res.writableFinished) req.log.info({ path: req.path }, 'audit export: client left mid-stream');
      else req.log.error({ err, path: req.path }, 'audit export failed mid-stream');
      res.destroy();
    }
  }

  on(ROUTES.auditGrant, async (req, res) => {
    const grant = await deps.grants.findById(req.params.id);
    if (!grant) throw new AppError('NOT_FOUND', `No grant with id ${req.params.id}`);
    const revoked = await deps.revocations.forGrant(grant.id);
    res.set('Cache-Control', 'no-store').json({
      revocation: revoked && {
        requestedBy: revoked.requestedByEmail,
        requestedAt: revoked.createdAt.toISOString(),
        reason: revoked.reason,
        state: revoked.state,
        appliedAt: revoked.appliedAt?.toISOString() ?? null,
        policyVersion: revoked.policyVersion,
      },
      grant: grantDto(grant),
      cloudTrail: {
        roleSessionName: grant.roleSessionName,
        sourceIdentity: grant.sourceIdentity,
        accessKeyId: grant.accessKeyId,
        stsRequestId: grant.stsRequestId,
        grantIdTag: { key: GRANT_ID_TAG, value: grant.id },
      },
    });
  });

  r.use((req, _res, next) => next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`)));
  return r;
}
