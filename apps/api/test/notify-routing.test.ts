import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, type Database } from '@rolegate/db';
import { channelsFor } from '../src/notifications/channels.js';
import { createOutboxWorker } from '../src/notifications/outbox-worker.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { configFrom } from './support/config.js';
import { startFakeSlack } from './support/fake-slack.js';
import { startStack, type Stack, testPerson } from './support/stack.js';

// Per-channel routing and the security channel (issue 14): NOTIFY_ROUTES
// decides which notifications reach which target; every break-glass reaches
// NOTIFY_SECURITY_TARGETS in the transaction that opens its window, whatever the routes say.

const MAPPINGS = `
accounts:
  - { id: "222222222222", name: production }
  - { id: "333333333333", name: staging }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/Deploy", maxDurationSeconds: 7200, access: approval, approvers: [prod-approvers], breakGlass: true }
  - { group: engineers, roleArn: "arn:aws:iam::333333333333:role/Tester", maxDurationSeconds: 7200, access: approval, approvers: [staging-approvers] }
`;
const ROUTES = [
  { channel: 'slack', target: 'C0PROD00001', groups: ['prod-approvers'], events: ['request.created', 'request.approved'] },
  { channel: 'slack', target: 'C0STAGING01', groups: ['staging-approvers'] },
];
let fake: Awaited<ReturnType<typeof startFakeSlack>>;

/** One pass of an outbox worker over `database`, with the channels main.ts wires for `config`. */
async function deliverOnce(database: Database, config: Readonly<Config>): Promise<void> {
  const repos = createRepositories(database);
  const worker = createOutboxWorker({
    outbox: repos.outbox,
    channels: channelsFor(config, { slackMessages: repos.slack }).channels,
    log: createLogger({ level: 'silent' }),
    maxAttempts: 3,
    leaseMs: 5_000,
    backoff: { baseMs: 10, maxMs: 10 },
  });
  await worker.runOnce();
}
let stack: Stack;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeSlack();
  env = {
    NOTIFY_SLACK_TOKEN: 'xoxb-1234567890-routing',
    NOTIFY_SLACK_API_URL: fake.apiUrl,
    NOTIFY_ROUTES: JSON.stringify(ROUTES),
    NOTIFY_SECURITY_TARGETS: 'slack:C0SECURITY1',
  };
  stack = await startStack({ mappingsYaml: MAPPINGS, extraUsers: [testPerson('emma', ['engineers'])], env });
});
afterAll(async () => {
  await stack?.close();
  await fake?.close();
});

const targetsOf = async (id: string) =>
  (
    await stack.sql.query<{ t: string }>(`SELECT event_type || ' ' || target AS t FROM notification_outbox WHERE request_id = $1 ORDER BY target`, [id])
  ).rows.map((r) => r.t);

describe('notification routing', () => {
  it('sends each request to its approver groups’ targets only, for the events each route names', async () => {
    const emma = await stack.signIn('emma');
    const ids = await stack.mappingIds();
    const prod = (await emma.post('/api/requests', { entitlementId: ids.Deploy, durationSeconds: 3600, reason: 'release' })).json().request.id as string;
    const staging = (await emma.post('/api/requests', { entitlementId: ids.Tester, durationSeconds: 3600, reason: 'tests' })).json().request.id as string;
    expect(await targetsOf(prod)).toEqual(['request.created C0PROD00001']);
    expect(await targetsOf(staging)).toEqual(['request.created C0STAGING01']);
    expect((await emma.post(`/api/requests/${prod}/cancel`)).status).toBe(200);
    expect((await emma.post(`/api/requests/${staging}/cancel`)).status).toBe(200);
    // The production route takes created and approved only; staging's takes everything.
    expect(await targetsOf(prod)).toEqual(['request.created C0PROD00001']);
    expect(await targetsOf(staging)).toEqual(['request.created C0STAGING01', 'request.cancelled C0STAGING01']);
  });

  it('a break-glass reaches the security channel at once, though no route takes break-glass', async () => {
    const emma = await stack.signIn('emma');
    const res = await emma.post('/api/requests', {
      entitlementId: (await stack.mappingIds()).Deploy,
      durationSeconds: 1800,
      reason: 'incident 77',
      breakGlass: true,
    });
    expect(res.status).toBe(201);
    const id = res.json().request.id as string;
    expect(await targetsOf(id)).toEqual(['request.break_glass C0SECURITY1']);

    await deliverOnce(stack.database, configFrom(env));
    const post = fake.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0SECURITY1')!;
    expect(JSON.stringify(post.args.blocks)).toContain('BREAK-GLASS access opened');
    expect(JSON.stringify(post.args.blocks)).toContain('incident 77');
  });
});

describe('the demo outbox page', () => {
  it('shows, for each request change, what each channel would have been sent, and sends nothing', async () => {
    const demo = await startStack({ extraUsers: [testPerson('emma', ['oncall'])], env: { ROLEGATE_DEMO: '1' } });
    try {
      const emma = await demo.signIn('emma');
      const entitlementId = await demo.mappingId('arn:aws:iam::222222222222:role/Deployer', 'oncall');
      const res = await emma.post('/api/requests', { entitlementId, durationSeconds: 3600, reason: 'demo release' });
      expect(res.status, res.text).toBe(201);
      const id = res.json().request.id as string;
      const bob = await demo.signIn('bob');
      const items = ((await bob.get('/api/admin/outbox')).json().items as { requestId: string; channel: string; target: string; message: string }[]).filter(
        (i) => i.requestId === id,
      );
      expect(items.map((i) => [i.channel, i.target, i.message]).sort()).toEqual([
        ['email', 'approvers@rolegate.demo', '[Rolegate] Access request waiting for approval: emma@example.com → Deployer (222222222222)'],
        ['slack', 'demo-access-requests', 'Access request waiting for approval: emma@example.com → Deployer (222222222222)'],
        ['webhook', 'demo:outbox-page', 'POST request.created: emma@example.com → Deployer (222222222222)'],
      ]);
      // The demo's worker marks them delivered without a network call (no channel is configured to reach).
      const before = fake.calls.length;
      await deliverOnce(demo.database, loadConfig({ ROLEGATE_DEMO: '1' }));
      const rows = await demo.sql.query<{ status: string }>(`SELECT status FROM notification_outbox WHERE request_id = $1`, [id]);
      expect(rows.rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
      expect(fake.calls.length).toBe(before);
    } finally {
      await demo.close();
    }
  });
});
