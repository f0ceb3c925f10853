import { routesAt } from '../http/route.js';
import { Router } from 'express';
import { parseRoleArn } from '@rolegate/aws-names';
import { AppError, combinedFix, policyOf } from '@rolegate/core';
import {
  adminChangesQuery,
  adminUsersQuery,
  createMappingBody,
  importMappingsBody,
  importMappingsQuery,
  ROUTES,
  type AdminAccount,
  type AdminChange,
  type AdminCliToken,
  type AdminMapping,
  type AdminUser,
  type MappingCheck,
  updateMappingBody,
  upsertAccountBody,
} from '@rolegate/contract';
import type { AdminAccountRecord, AdminChangeRecord, AdminCliTokenRecord, AdminMappingRecord, AdminUserRecord, MappingCheckRecord } from '@rolegate/db';
import type { MappingCheckService } from '../services/mapping-check-service.js';
import { principalOf } from '../middleware/auth.js';
import type { AdminService } from '../services/admin-service.js';
import type { AdminUserService } from '../services/admin-user-service.js';
import { parseBody } from '../http/parse.js';

/** JSON body limit of the YAML import (the YAML itself may be 4 MB; escaping in JSON adds a little). */
export const IMPORT_BODY_LIMIT = '5mb';

function mappingDto(m: AdminMappingRecord): AdminMapping {
  return {
    id: m.id,
    group: m.group,
    accountId: m.accountId,
    accountName: m.accountName,
    roleArn: m.roleArn,
    roleName: parseRoleArn(m.roleArn)?.roleName ?? m.roleArn,
    maxDurationSeconds: m.maxDurationSeconds,
    requireReason: m.requireReason,
    description: m.description,
    enabled: m.enabled,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    ...policyOf(m),
  };
}

function accountDto(a: AdminAccountRecord): AdminAccount {
  return {
    id: a.id,
    name: a.name,
    controlRoleArn: a.controlRoleArn,
    mappingCount: a.mappingCount,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

function mappingCheckDto(c: MappingCheckRecord): MappingCheck {
  return {
    mappingId: c.mappingId,
    roleArn: c.roleArn,
    status: c.status,
    ok: c.status === 'ok',
    problems: c.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, fix: f.fix })),
    fix: combinedFix(c.findings),
    error: c.error,
    checkedAt: c.checkedAt?.toISOString() ?? null,
  };
}

function userDto(u: AdminUserRecord): AdminUser {
  return { id: u.id, email: u.email, displayName: u.displayName, groups: u.groups, lastSeenAt: u.lastSeenAt.toISOString() };
}

function cliTokenDto(t: AdminCliTokenRecord): AdminCliToken {
  return {
    id: t.id,
    label: t.label,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}

function changeDto(c: AdminChangeRecord): AdminChange {
  return { ...c, createdAt: c.createdAt.toISOString() };
}

/**
 * `/api/admin/*`. Mounted behind requireUser(rbac, 'admin'), CSRF and the
 * JSON-only guard (see app.ts); handlers parse with the contract and call the
 * admin service, which records every change.
 */
export function adminRoutes(deps: { admin: AdminService; users?: AdminUserService; checks: MappingCheckService }) {
  const r = Router();
  const on = routesAt(r, '/api/admin');
  const { admin, users, checks } = deps;

  on(ROUTES.adminMappingChecks, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: (await checks.list()).map(mappingCheckDto) });
  });

  on(ROUTES.adminCheckMapping, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(mappingCheckDto(await checks.checkMapping(req.params.id)));
  });

  on(ROUTES.adminMappings, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: (await admin.listMappings()).map(mappingDto), managedBy: admin.managedBy });
  });

  on(ROUTES.adminCreateMapping, async (req, res) => {
    const body = parseBody(createMappingBody, req.body);
    res.status(201).json({ mapping: mappingDto(await admin.createMapping(principalOf(req), body)) });
  });

  on(ROUTES.adminExportMappings, async (_req, res) => {
    const yaml = await admin.exportYaml();
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="rolegate-mappings.yaml"')
      .type('application/yaml; charset=utf-8')
      .send(yaml);
  });

  on(ROUTES.adminImportMappings, async (req, res) => {
    const q = parseBody(importMappingsQuery, req.query);
    const body = parseBody(importMappingsBody, req.body);
    const dryRun = q.dryRun === '1' || q.dryRun === 'true';
    res.json(await admin.importYaml(principalOf(req), body.yaml, dryRun));
  });

  on(ROUTES.adminTrustPolicy, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await admin.trustPolicy(req.params.id));
  });

  on(ROUTES.adminUpdateMapping, async (req, res) => {
    const body = parseBody(updateMappingBody, req.body);
    res.json({ mapping: mappingDto(await admin.updateMapping(principalOf(req), req.params.id, body)) });
  });

  on(ROUTES.adminDeleteMapping, async (req, res) => {
    await admin.deleteMapping(principalOf(req), req.params.id);
    res.status(204).end();
  });

  on(ROUTES.adminAccounts, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: (await admin.listAccounts()).map(accountDto) });
  });

  on(ROUTES.adminUpsertAccount, async (req, res) => {
    const body = parseBody(upsertAccountBody, req.body);
    res.json({ account: accountDto(await admin.upsertAccount(principalOf(req), req.params.id, body.name, body.controlRoleArn)) });
  });

  on(ROUTES.adminDeleteAccount, async (req, res) => {
    await admin.deleteAccount(principalOf(req), req.params.id);
    res.status(204).end();
  });

  on(ROUTES.adminChanges, async (req, res) => {
    const q = parseBody(adminChangesQuery, req.query);
    const page = await admin.listChanges(q);
    res.set('Cache-Control', 'no-store').json({ items: page.items.map(changeDto), nextCursor: page.nextCursor });
  });

  if (users) {
    on(ROUTES.adminUsers, async (req, res) => {
      const q = parseBody(adminUsersQuery, req.query);
      res.set('Cache-Control', 'no-store').json({ items: (await users.search(q.q)).map(userDto) });
    });

    on(ROUTES.adminUserCliTokens, async (req, res) => {
      res.set('Cache-Control', 'no-store').json({ items: (await users.cliTokens(req.params.id)).map(cliTokenDto) });
    });

    on(ROUTES.adminCutOff, async (req, res) => {
      res.status(202).json(await users.cutOff(principalOf(req), req.params.id));
    });

    on(ROUTES.adminRevokeCliToken, async (req, res) => {
      await users.revokeCliToken(principalOf(req), req.params.id);
      res.json({ revoked: true });
    });
  }

  r.use((req, _res, next) => next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`)));
  return r;
}
