import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NewGrant } from '@rolegate/core';
import { createDatabase, type Database } from '../client.js';
import { asLoginRole, createTestDatabase } from '../testing.js';
import { createGrantRepository } from './grants.js';
import { createUserRepository } from './users.js';

// Beside the repository, on real Postgres: a database of its own, the app's
// least-privilege runtime role for the repository, the owner for assertions.
let app: Database;
let direct: Database;
let userId: string;
beforeAll(async () => {
  const pg = inject('dbTestPostgres');
  const url = await createTestDatabase(pg);
  app = createDatabase({ url: asLoginRole(url, pg.runtime), max: 2 });
  direct = createDatabase({ url, max: 2 });
  userId = await createUserRepository(app.prisma).upsertOnSignIn({
    idp: 'oidc',
    issuer: 'https://idp.example',
    subject: 'store-test',
    email: 'store@example.com',
    displayName: 'Store Test',
    groups: ['engineers'],
  });
});
afterAll(async () => {
  await app?.close();
  await direct?.close();
});

const grant = (status: NewGrant['status']): NewGrant => ({
  user: { id: userId, email: 'store@example.com', subject: 'store-test', idp: 'oidc' },
  groups: ['engineers'],
  mappingId: null,
  accountId: '111111111111',
  roleArn: 'arn:aws:iam::111111111111:role/Developer',
  roleSessionName: 'store@example.com',
  sourceIdentity: 'store@example.com',
  kind: 'cli',
  durationSeconds: 3600,
  reason: null,
  status,
  clientIp: '127.0.0.1',
  userAgent: 'test',
});

const row = async (id: string) => (await direct.pool.query(`SELECT status, access_key_id, error FROM grants WHERE id = $1`, [id])).rows[0];

describe('grant repository', () => {
  it('returns the inserted row as stored, and the recorded outcome as stored', async () => {
    const repo = createGrantRepository(app.pool);
    const pending = await repo.insert(grant('pending'));
    const stored = (await direct.pool.query(`SELECT created_at, groups, client_ip FROM grants WHERE id = $1`, [pending.id])).rows[0];
    expect(pending.createdAt).toEqual(stored.created_at);
    expect(pending).toMatchObject({ status: 'pending', groups: stored.groups, clientIp: stored.client_ip, expiresAt: null, accessKeyId: null });
    const expiresAt = new Date(Date.now() + 3_600_000);
    const issued = await repo.markIssued(pending, { stsRequestId: 'req-1', accessKeyId: 'ASIAEXAMPLE', expiresAt });
    expect(issued).toMatchObject({ id: pending.id, status: 'issued', accessKeyId: 'ASIAEXAMPLE', expiresAt, stsRequestId: 'req-1' });
    expect(await row(pending.id)).toEqual({ status: 'issued', access_key_id: 'ASIAEXAMPLE', error: null });
  });

  it('records an outcome only once, and only on a pending grant', async () => {
    const repo = createGrantRepository(app.pool);
    const pending = await repo.insert(grant('pending'));
    await repo.markFailed(pending, { error: 'sts:Throttling' });
    const expiresAt = new Date(Date.now() + 3_600_000);
    await expect(repo.markIssued(pending, { stsRequestId: null, accessKeyId: 'ASIALATE', expiresAt })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await row(pending.id)).toEqual({ status: 'failed', access_key_id: null, error: 'sts:Throttling' });

    const denied = await repo.insert({ ...grant('denied'), error: 'NOT_ENTITLED' });
    await expect(repo.markIssued(denied, { stsRequestId: null, accessKeyId: 'ASIANOPE', expiresAt })).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(repo.markFailed(denied, { error: 'sts:Other' })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await row(denied.id)).toEqual({ status: 'denied', access_key_id: null, error: 'NOT_ENTITLED' });
  });
});
