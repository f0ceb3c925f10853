import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import {
  applyMigrations,
  createDatabase,
  createRepositories,
  grantRuntimeMembership,
  MIGRATIONS_DIR,
  runtimeRoleProblems,
  startEmbeddedPostgres,
  userOfUrl,
  type EmbeddedPostgresHandle,
} from '@rolegate/db';
import { createFederationAdapter } from './adapters/federation.js';
import { createOidcAdapter } from './adapters/oidc.js';
import { createStsAdapter } from './adapters/sts.js';
import { createIamAdapter } from './adapters/iam.js';
import { brokerPrincipalResolver } from './services/admin-service.js';
import { createMappingCheckService, startMappingCheckJob } from './services/mapping-check-service.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { DemoEnvironment } from './demo.js';
import { createLifecycle } from './lifecycle.js';
import { startHousekeeping } from './housekeeping.js';
import { createMetrics } from './observability/metrics.js';
import { createReconciler, createRetrier } from './reconciler.js';
import { createOutboxWorker } from './notifications/outbox-worker.js';
import { announcerFor } from './notifications/announce.js';
import { createRevocationWorker } from './revocation/worker.js';
import { createRevocationPolicyIam } from './revocation/iam-policy.js';
import { createRequestSweeper } from './request-sweeper.js';
import { channelsFor } from './notifications/channels.js';
import { createLogger } from './logger.js';
import { applyMappingsFile, reloadMappingsFileOnSighup } from './mappings-file.js';

async function demoSessionSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(32).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

function fail(message: string): never {
  process.stderr.write(`rolegate: ${message}\n`);
  process.exit(1);
}

async function main() {
  const started = Date.now();
  // The SDK's documented switch (aws/aws-sdk-js-v3#7983) for its Node 20
  // end-of-support notice; an operator's explicit value wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let config: Readonly<Config>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const log = createLogger({ level: config.logLevel });
  if (!config.demo && !config.metricsToken) log.warn('METRICS_TOKEN is not set: /metrics is off (404) until it is');
  const closers: (() => Promise<unknown>)[] = [];

  let demo: DemoEnvironment | null = null;
  if (config.demo) {
    const { startDemoEnvironment } = await import('./demo.js');
    demo = await startDemoEnvironment({
      publicUrl: config.publicUrl,
      dataDir: config.dataDir,
      ...(config.mappingsFile ? { mappingsFile: config.mappingsFile } : {}),
    });
    closers.push(() => demo!.close());
    config = loadConfig({ ...process.env, ...demo.env });
  }

  let databaseUrl = config.databaseUrl;
  let migrationUrl = config.databaseMigrationUrl ?? databaseUrl;
  let embedded: EmbeddedPostgresHandle | null = null;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres') });
    await embedded.createDatabase('rolegate');
    databaseUrl = embedded.runtimeUrlFor('rolegate');
    migrationUrl = embedded.ownerUrlFor('rolegate');
    log.info({ dataDir: path.join(config.dataDir, 'postgres') }, 'embedded PostgreSQL started');
  }
  const migrations = await applyMigrations(migrationUrl!, MIGRATIONS_DIR);
  if (migrations.applied.length) log.info({ applied: migrations.applied }, 'migrations applied');
  // Two roles: the owner migrates, the app runs as a least-privilege role (README, "Database roles").
  if (migrationUrl === databaseUrl) {
    log.warn(
      'DATABASE_MIGRATION_URL is not set: the app runs as the role that owns the tables, so the audit trail is NOT tamper-proof (it could disable the change log trigger); see docs/deploy.md',
    );
  } else {
    await grantRuntimeMembership(migrationUrl!, userOfUrl(databaseUrl)).catch((err: Error) =>
      log.warn({ err }, 'could not make the runtime role a member of rolegate_runtime; a DBA must grant it'),
    );
    for (const problem of await runtimeRoleProblems(databaseUrl)) log.warn({ problem }, 'the runtime database role has more privileges than it needs');
  }

  const database = createDatabase({ url: databaseUrl, exportMax: config.exports.maxConcurrent, exportStatementTimeoutMs: config.exports.statementTimeoutMs });
  const repositories = createRepositories(database, { exportStatementTimeoutMs: config.exports.statementTimeoutMs });
  // MAPPINGS_FILE set: the file is the truth (applied with pruning now and on SIGHUP; admin writes answer 409).
  if (config.mappingsFile) {
    const adminMappings = repositories.adminMappings;
    const result = await applyMappingsFile(config.mappingsFile, adminMappings).catch((err: Error) => fail(err.message));
    log.info(result, 'mappings file applied');
    const stopReloading = reloadMappingsFileOnSighup(config.mappingsFile, adminMappings, log);
    closers.push(async () => stopReloading());
  } else if (demo?.seed) {
    // The demo seeds only an empty database; afterwards the admin screen is the truth.
    const seeded = await repositories.adminMappings.seedIfEmpty(demo.seed, { id: null, email: 'demo-seed' });
    log.info({ seeded }, seeded ? 'demo mappings seeded into the empty database' : 'demo mappings not seeded: the database already has mappings');
  }

  const sts = createStsAdapter({
    region: config.aws.region,
    endpoint: config.aws.stsEndpoint,
    timeoutMs: config.aws.stsTimeoutMs,
    ...(demo ? { credentials: demo.brokerCredentials } : {}),
  });
  void sts.detectIdentity().then((arn) => log.info({ brokerArn: arn }, 'broker AWS identity'));
  // IAM in each account through its control role (checks of brokered roles; the revocation policy).
  const iam = createIamAdapter({
    region: config.aws.region,
    stsEndpoint: config.aws.stsEndpoint,
    iamEndpoint: config.aws.iamEndpoint,
    timeoutMs: config.aws.iamTimeoutMs,
    revocationPolicyName: config.aws.revocationPolicyName,
    controlRoleOf: async (accountId) => (await repositories.adminMappings.findAccount(accountId))?.controlRoleArn ?? null,
    ...(demo ? { credentials: demo.brokerCredentials } : {}),
  });
  const federation = createFederationAdapter({ federationUrl: config.aws.federationUrl, issuer: config.publicUrl, timeoutMs: config.aws.federationTimeoutMs });
  const oidc = config.oidc ? createOidcAdapter(config.oidc, `${config.publicUrl}/auth/oidc/callback`) : null;
  const sessionSecret = config.sessionSecret ?? (await demoSessionSecret(config.dataDir));

  // The SAML libraries (node-saml, xml-crypto, xmldom: several MB in memory) load only when SAML is configured.
  const saml = config.saml ? (await import('./auth/saml/sp.js')).createSamlServiceProvider(config.saml) : null;
  let draining = () => false;
  const metrics = createMetrics({ pool: repositories.poolStats });
  const retrier = createRetrier({ attempts: 30, delayMs: 2000, log });
  const app = createApp({
    config,
    repositories,
    log,
    sts,
    brokerIdentity: sts,
    iam,
    federation,
    oidc,
    saml,
    sessionSecret,
    metrics,
    retryLater: retrier.retryLater,
    isDraining: () => draining(),
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  log.info({ url: config.publicUrl, startupMs: Date.now() - started }, 'Rolegate is ready');

  if (demo) {
    const lines = [
      '',
      '  Rolegate demo is running',
      `  Open            ${config.publicUrl}`,
      `  Identity (OIDC) ${demo.idp.issuer}`,
      `  Identity (SAML) ${demo.samlIdp.ssoUrl}`,
      `  AWS emulator    ${demo.aws.url}`,
      '',
      `  Demo sign-ins (username / password; kept in ${path.join(config.dataDir, 'demo-passwords.json')}):`,
      ...demo.idp.users.map((u) => `    ${u.username.padEnd(6)} ${u.password}   groups: ${u.groups.join(', ')}`),
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  const housekeeping = startHousekeeping({
    sessions: repositories.sessions,
    saml: repositories.saml,
    rateLimits: repositories.rateLimits,
    log,
  });
  void housekeeping.runOnce().catch(() => {});
  // A grant pending longer than both outbound timeouts and a margin has no process left to finish it.
  const reconciler = createReconciler({
    grants: repositories.grants,
    // …and longer than the outcome retries (30 × 2 s), which record what is known (the access key id) first.
    olderThanMs: config.aws.stsTimeoutMs + config.aws.federationTimeoutMs + 90_000,
    log,
    metrics,
  });
  reconciler.start(30_000);
  void reconciler.runOnce().catch(() => {});
  // Every replica delivers the outbox (rows are claimed with SKIP LOCKED; docs/approvals.md).
  const delivery = channelsFor(config, { slackMessages: repositories.slack });
  const outboxWorker = createOutboxWorker({
    outbox: repositories.outbox,
    channels: delivery.channels,
    log,
    maxAttempts: config.notify.maxAttempts,
    leaseMs: config.notify.timeoutMs * 2 + 5_000,
    backoff: { baseMs: 5_000, maxMs: 15 * 60_000 },
  });
  outboxWorker.start(2_000);
  // Revocations reach AWS through each account's revocation policy (every replica; one writer per account at a time).
  const revocationWorker = createRevocationWorker({
    revocations: repositories.revocations,
    iam: createRevocationPolicyIam(iam),
    log,
    metrics,
    backoff: { baseMs: config.revocations.retryBaseMs, maxMs: config.revocations.retryMaxMs },
  });
  revocationWorker.start(config.revocations.intervalMs);
  // Expiry and escalation of pending requests, recorded and announced (every replica; SKIP LOCKED).
  const requestSweeper = createRequestSweeper({
    requests: repositories.requests,
    announce: announcerFor(config),
    log,
    reviewRenotifySeconds: config.notify.reviewRenotifySeconds,
  });
  requestSweeper.start(30_000);
  // Trust and set-up checks of every mapping's role (every replica; claims are leased in mapping_checks).
  const mappingCheckJob = startMappingCheckJob(
    createMappingCheckService({
      checks: repositories.mappingChecks,
      mappings: repositories.adminMappings,
      iam,
      brokerPrincipal: brokerPrincipalResolver(() => sts.detectIdentity(), config.brokerPrincipalArn),
      log,
    }),
    {
      intervalSeconds: config.mappingCheckIntervalSeconds,
      everyMs: Math.min(60_000, config.mappingCheckIntervalSeconds * 1000),
      iamTimeoutMs: config.aws.iamTimeoutMs,
      log,
    },
  );
  void mappingCheckJob.runOnce().catch((err: unknown) => log.warn({ err }, 'mapping checks failed'));

  const lifecycle = createLifecycle({
    server,
    log,
    drainMs: config.shutdown.drainMs,
    timeoutMs: config.shutdown.timeoutMs,
    closers: [
      () => housekeeping.stop(),
      () => reconciler.stop(),
      () => outboxWorker.stop(),
      () => delivery.close(),
      () => revocationWorker.stop(),
      () => requestSweeper.stop(),
      () => mappingCheckJob.stop(),
      () => retrier.stop(),
      () => database.close(),
      () => sts.destroy(),
      () => iam.destroy(),
      ...closers,
      () => embedded?.stop(),
    ],
  });
  draining = lifecycle.isDraining;
  lifecycle.installSignalHandlers();
  // The server dies with its launcher (tsx, npm start): orphaned, nobody could stop it.
  const launcher = process.ppid;
  setInterval(() => {
    if (process.ppid !== launcher) void lifecycle.shutdown('launcher exited');
  }, 1000).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`rolegate: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
