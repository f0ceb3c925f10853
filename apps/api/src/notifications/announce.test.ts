import { describe, expect, it } from 'vitest';
import { policyOf } from '@rolegate/core';
import type { AccessRequestRecord } from '@rolegate/db';
import { createAnnouncer, DEMO_ROUTES } from './announce.js';

const request = (status: AccessRequestRecord['status']): AccessRequestRecord => ({
  id: '00000000-0000-4000-8000-000000000001',
  createdAt: new Date(),
  requester: { id: 'u', email: 'erin@example.com' },
  mappingId: 'm',
  accountId: '222222222222',
  roleArn: 'arn:aws:iam::222222222222:role/Deployer',
  durationSeconds: 3600,
  reason: 'release',
  breakGlass: false,
  policy: policyOf({ access: 'approval', approvers: ['ops'], approvals: 2 }),
  extendsRequestId: null,
  status,
  pendingUntil: new Date(),
  decidedAt: null,
  windowStartsAt: null,
  windowEndsAt: null,
  endedAt: null,
  escalatedAt: null,
  review: null,
  events: [],
});

describe('createAnnouncer', () => {
  it('one row per webhook, with the review link; a partial approval announces nothing', () => {
    const announce = createAnnouncer({
      publicUrl: 'https://rg.example.com',
      routes: [
        { channel: 'webhook', target: 'https://a.example.com/h' },
        { channel: 'webhook', target: 'https://b.example.com/h' },
      ],
    });
    const rows = announce(request('pending'), { type: 'requested', comment: 'release' });
    expect(rows.map((r) => r.target)).toEqual(['https://a.example.com/h', 'https://b.example.com/h']);
    expect(rows[0]!.payload).toMatchObject({
      type: 'request.created',
      data: { url: 'https://rg.example.com/requests/00000000-0000-4000-8000-000000000001', requester: 'erin@example.com', roleName: 'Deployer' },
    });
    expect(announce(request('pending'), { type: 'approved', stage: 0 })).toEqual([]);
    expect(announce(request('approved'), { type: 'approved', stage: 0 })[0]!.eventType).toBe('request.approved');
  });

  it('the demo, with no channel configured, writes one row per channel for the outbox page; production with none writes nothing', () => {
    const rows = createAnnouncer({ publicUrl: 'http://127.0.0.1:3000', routes: [], demo: true })(request('pending'), { type: 'requested' });
    expect(rows.map((r) => [r.channel, r.target])).toEqual(DEMO_ROUTES.map((r) => [r.channel, r.target]));
    expect(createAnnouncer({ publicUrl: 'https://rg.example.com', routes: [] })(request('pending'), { type: 'requested' })).toEqual([]);
  });

  it('routes by event type, approver group, account and role (exact matches), one row per target; the security targets hear every break-glass', () => {
    const announce = createAnnouncer({
      publicUrl: 'https://rg.example.com',
      routes: [
        { channel: 'slack', target: 'C0OPS00001', groups: ['ops'] },
        { channel: 'slack', target: 'C0OPSRO001', groups: ['ops-readonly'] },
        { channel: 'email', target: 'deploys@example.com', roles: ['Deployer'], events: ['request.approved'] },
        { channel: 'email', target: 'admin@example.com', roles: ['Deploy'] },
        { channel: 'webhook', target: 'https://other.example.com/h', accounts: ['333333333333'] },
        { channel: 'webhook', target: 'https://all.example.com/h' },
      ],
      securityRoutes: [
        { channel: 'slack', target: 'C0SECURITY' },
        { channel: 'webhook', target: 'https://all.example.com/h' },
      ],
    });
    const targets = (status: AccessRequestRecord['status'], type: string, breakGlass = false) =>
      announce({ ...request(status), breakGlass }, { type } as never).map((r) => `${r.channel} ${r.target}`);
    expect(targets('pending', 'requested')).toEqual(['slack C0OPS00001', 'webhook https://all.example.com/h']);
    expect(targets('approved', 'approved')).toEqual(['slack C0OPS00001', 'email deploys@example.com', 'webhook https://all.example.com/h']);
    expect(targets('approved', 'break-glass', true)).toEqual(['slack C0OPS00001', 'webhook https://all.example.com/h', 'slack C0SECURITY']);
    const escalated = createAnnouncer({ publicUrl: 'https://rg.example.com', routes: [{ channel: 'slack', target: 'C0LEADS001', groups: ['leads'] }] });
    const r = { ...request('pending'), policy: policyOf({ access: 'approval', approvers: ['ops'], escalateAfterSeconds: 60, escalateTo: ['leads'] }) };
    expect(escalated(r, { type: 'requested' }).map((x) => x.target)).toEqual([]);
    expect(escalated(r, { type: 'escalated' }).map((x) => x.target)).toEqual(['C0LEADS001']);
  });
});
