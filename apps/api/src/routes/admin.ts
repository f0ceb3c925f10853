import { Router } from 'express';
import { parseRoleArn } from '@rolegate/aws-names';
import { AppError } from '@rolegate/core';
import {
  adminChangesQuery,
  adminUsersQuery,
  type AdminCliToken,
  type AdminUser,
  createMappingBody,
  importMappingsBody,
  importMappingsQuery,
  updateMappingBody,
  upsertAccountBody,
  type AdminAccount,
  type AdminChange,
  type AdminMapping,
} from '@rolegate/contract';
import type { AdminAccountRecord, AdminChangeRecord, AdminCliTokenRecord, AdminMappingRecord, AdminUserRecord } from '@rolegate/db';
import { principalOf } from '../middleware/auth.js';
import type { AdminService } from '../services/admin-service.js';
import type { AdminUserService } from '../services/admin-user-service.js';
import { parseBody } from './validate.js';

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
  };
}

function accountDto(a: AdminAccountRecord): AdminAccount {
  return { id: a.id, name: a.name, mappingCount: a.mappingCount, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
}

function userDto(u: AdminUserRecord): AdminUser {
  return { id: u.id, email: u.email, displayName: u.displayName, groups: u.groups, lastSeenAt: u.lastSeenAt.toISOString() };
}

function cliTokenDto(t: AdminCliTokenRecord): AdminCliToken {
  return { id: t.id, label: t.label, createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null };
}

function changeDto(c: AdminChangeRecord): AdminChange {
  return { ...c, createdAt: c.createdAt.toISOString() };
}

/**
 * `/api/admin/*`. Mounted behind requireUser(rbac, 'admin'), CSRF and the
 * JSON-only guard (see app.ts); handlers parse with the contract and call the
 * admin service, which records every change.
 */
export function adminRoutes(deps: { admin: AdminService; users?: AdminUserService }) {
  const r = Router();
  const { admin, users } = deps;

  r.get('/mappings', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: (await admin.listMappings()).map(mappingDto), managedBy: admin.managedBy });
  });

  r.post('/mappings', async (req, res) => {
    const body = parseBody(createMappingBody, req.body);
    res.status(201).json({ mapping: mappingDto(await admin.createMapping(principalOf(req), body)) });
  });

  r.get('/mappings/export', async (_req, res) => {
    const yaml = await admin.exportYaml();
    res
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', 'attachment; filename="rolegate-mappings.yaml"')
      .type('application/yaml; charset=utf-8')
      .send(yaml);
  });

  r.post('/mappings/import', async (req, res) => {
    const q = parseBody(importMappingsQuery, req.query);
    const body = parseBody(importMappingsBody, req.body);
    const dryRun = q.dryRun === '1' || q.dryRun === 'true';
    res.json(await admin.importYaml(principalOf(req), body.yaml, dryRun));
  });

  r.get('/mappings/:id/trust-policy', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await admin.trustPolicy(req.params.id));
  });

  r.put('/mappings/:id', async (req, res) => {
    const body = parseBody(updateMappingBody, req.body);
    res.json({ mapping: mappingDto(await admin.updateMapping(principalOf(req), req.params.id, body)) });
  });

  r.delete('/mappings/:id', async (req, res) => {
    await admin.deleteMapping(principalOf(req), req.params.id);
    res.status(204).end();
  });

  r.get('/accounts', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ items: (await admin.listAccounts()).map(accountDto) });
  });

  r.put('/accounts/:id', async (req, res) => {
    const body = parseBody(upsertAccountBody, req.body);
    res.json({ account: accountDto(await admin.upsertAccount(principalOf(req), req.params.id, body.name)) });
  });

  r.delete('/accounts/:id', async (req, res) => {
    await admin.deleteAccount(principalOf(req), req.params.id);
    res.status(204).end();
  });

  r.get('/changes', async (req, res) => {
    const q = parseBody(adminChangesQuery, req.query);
    const page = await admin.listChanges(q);
    res.set('Cache-Control', 'no-store').json({ items: page.items.map(changeDto), nextCursor: page.nextCursor });
  });

  if (users) {
    r.get('/users', async (req, res) => {
      const q = parseBody(adminUsersQuery, req.query);
      res.set('Cache-Control', 'no-store').json({ items: (await users.search(q.q)).map(userDto) });
    });

    r.get('/users/:id/cli-tokens', async (req, res) => {
      res.set('Cache-Control', 'no-store').json({ items: (await users.cliTokens(req.params.id)).map(cliTokenDto) });
    });

    r.post('/users/:id/cut-off', async (req, res) => {
      res.status(202).json(await users.cutOff(principalOf(req), req.params.id));
    });

    r.post('/cli-tokens/:id/revoke', async (req, res) => {
      await users.revokeCliToken(principalOf(req), req.params.id);
      res.json({ revoked: true });
    });
  }

  r.use((req, _res, next) => next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`)));
  return r;
}
