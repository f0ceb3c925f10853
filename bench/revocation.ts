/**
 * Revocation benchmark: how long a revocation takes to reach AWS once the
 * worker picks it up, and what the pure policy builder costs.
 *
 * - `build`: buildRevocationPolicy over 150 grants and 100 people (compaction
 *   and size checks), many times: mean and p99 per build.
 * - `pass`: one worker pass on one account with a new revocation each time,
 *   against the AWS emulator's IAM through the account's control role (the
 *   real IAM adapter: GetPolicy, ListPolicyVersions, DeletePolicyVersion when
 *   five exist, CreatePolicyVersion), on embedded Postgres under the
 *   advisory lock: p50/p99. Revoke → denied at AWS is this plus the wait for the next
 *   pass (REVOCATION_INTERVAL_MS, 2 s by default: 1 s on average).
 *
 *   pnpm exec tsx bench/revocation.ts [--passes=100] [--builds=2000]
 *
 * Postgres: an embedded server in a temporary folder (removed afterwards).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startAwsEmulator } from '../packages/aws-emulator/src/index.js';
import { buildRevocationPolicy, type RevocationEntry } from '../packages/core/src/index.js';
import { applyMigrations, createDatabase, createRevocationRepository, MIGRATIONS_DIR, startEmbeddedPostgres } from '../packages/db/src/index.js';
import { createIamAdapter } from '../apps/api/src/adapters/iam.js';
import { createRevocationPolicyIam } from '../apps/api/src/revocation/iam-policy.js';
import { createRevocationWorker } from '../apps/api/src/revocation/worker.js';
import { fmt, summarize } from './stats.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const PASSES = Number(args.get('passes') ?? 100);
const BUILDS = Number(args.get('builds') ?? 2000);
const ACCOUNT = '111111111111';
const log = (m: string) => process.stderr.write(`${m}\n`);

function benchBuild() {
  const entries: RevocationEntry[] = [
    ...Array.from({ length: 150 }, (): RevocationEntry => ({ kind: 'grant', grantId: randomUUID(), requestedAt: new Date() })),
    ...Array.from({ length: 100 }, (_, i): RevocationEntry => ({
      kind: 'person',
      sourceIdentity: `person-${i}@example.com`,
      revokedBefore: new Date(Date.now() - i * 7000),
    })),
  ];
  const times: number[] = [];
  let level = '';
  for (let i = 0; i < BUILDS; i++) {
    const t = performance.now();
    level = buildRevocationPolicy(entries).level;
    times.push(performance.now() - t);
  }
  return { ...summarize(times), level };
}

async function benchPasses() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-bench-revocation-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  const broker = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
  const policyArn = `arn:aws:iam::${ACCOUNT}:policy/RolegateRevocations`;
  const aws = await startAwsEmulator({
    callers: [{ ...broker, arn: 'arn:aws:iam::000000000000:user/rolegate-broker' }],
    managedPolicies: [
      {
        arn: policyArn,
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': 'none' } } }],
        },
      },
    ],
    roles: [
      {
        arn: `arn:aws:iam::${ACCOUNT}:role/RolegateControl`,
        trustedPrincipals: ['arn:aws:iam::000000000000:user/rolegate-broker'],
        inlinePolicies: { Iam: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } },
      },
    ],
  });
  try {
    await applyMigrations(pg.url, MIGRATIONS_DIR);
    const db = createDatabase({ url: pg.url, max: 4 });
    const iam = createIamAdapter({
      region: 'us-east-1',
      stsEndpoint: aws.stsUrl,
      iamEndpoint: aws.iamUrl,
      timeoutMs: 10_000,
      revocationPolicyName: 'RolegateRevocations',
      controlRoleOf: async () => `arn:aws:iam::${ACCOUNT}:role/RolegateControl`,
      credentials: broker,
    });
    const repo = createRevocationRepository(db.pool);
    const worker = createRevocationWorker({
      revocations: repo,
      iam: createRevocationPolicyIam(iam),
      log: { warn: () => {}, info: () => {}, error: () => {} },
      backoff: { baseMs: 1000, maxMs: 1000 },
    });
    const insert = () =>
      db.pool.query(
        `INSERT INTO revocations (id, batch_id, kind, account_id, grant_id, requested_by_email, reason, expires_at)
         VALUES (gen_random_uuid(), gen_random_uuid(), 'grant', $1, gen_random_uuid(), 'bench@example.com', 'bench', now() + interval '1 hour')`,
        [ACCOUNT],
      );
    // Warm-up: the control role's session and the connections.
    await insert();
    await worker.passAccount(ACCOUNT);
    const times: number[] = [];
    for (let i = 0; i < PASSES; i++) {
      // At most ~140 live ids: more would switch to the fallback, which is not what this measures.
      if (i > 0 && i % 100 === 0) await db.pool.query(`UPDATE revocations SET state = 'pruned' WHERE state = 'applied'`);
      await insert();
      const t = performance.now();
      const r = await worker.passAccount(ACCOUNT);
      times.push(performance.now() - t);
      if (r?.kind !== 'applied') throw new Error(`pass ${i}: ${JSON.stringify(r)}`);
    }
    const calls = ['GetPolicy', 'ListPolicyVersions', 'CreatePolicyVersion', 'DeletePolicyVersion'].map((a) => `${a} ${aws.countCalls(a)}`).join(', ');
    iam.destroy();
    await db.close();
    return { ...summarize(times), calls };
  } finally {
    await aws.close();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const build = benchBuild();
log(`build: done`);
const pass = await benchPasses();
const load = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
process.stdout.write(
  [
    `| measure | n | mean ms | p50 ms | p99 ms | max ms | notes |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    `| buildRevocationPolicy, 150 grants + 100 people | ${build.n} | ${fmt(build.mean, 3)} | ${fmt(build.p50, 3)} | ${fmt(build.p99, 3)} | ${fmt(build.max, 3)} | level ${build.level} |`,
    `| worker pass, 1 account, 1 new revocation (emulator IAM, embedded Postgres) | ${pass.n} | ${fmt(pass.mean)} | ${fmt(pass.p50)} | ${fmt(pass.p99)} | ${fmt(pass.max)} | ${pass.calls} |`,
    ``,
    `load average ${load}, ${os.cpus().length} cores, node ${process.version}`,
  ].join('\n') + '\n',
);
