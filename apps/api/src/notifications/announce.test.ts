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
});
