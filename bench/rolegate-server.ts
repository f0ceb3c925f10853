/**
 * Child process: Rolegate as `main.ts` builds it (createApp, the real STS and
 * federation adapters, Postgres through Prisma, pino logging at info to a
 * file), with the adapters wrapped by the timing decorator of trace.ts.
 */
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import type { FederationPort, StsPort } from '../packages/core/src/index.js';
import { createDatabase, createRepositories } from '../packages/db/src/index.js';
import { createFederationAdapter } from '../apps/api/src/adapters/federation.js';
import { createOidcAdapter } from '../apps/api/src/adapters/oidc.js';
import { createStsAdapter } from '../apps/api/src/adapters/sts.js';
import { createApp } from '../apps/api/src/app.js';
import { loadConfig } from '../apps/api/src/config.js';
import { createLogger } from '../apps/api/src/logger.js';
import { childConfig, serveChild } from './child.js';
import { createTracer } from './trace.js';

export interface RolegateServerConfig {
  port: number;
  env: Record<string, string>;
  brokerCredentials: { accessKeyId: string; secretAccessKey: string };
  logFile: string;
}

const cfg = childConfig<RolegateServerConfig>();
const config = loadConfig(cfg.env);
const tracer = createTracer();
const database = createDatabase({ url: config.databaseUrl! });
const log = createLogger({ level: config.logLevel, destination: createWriteStream(cfg.logFile) });

const sts = createStsAdapter({
  region: config.aws.region,
  endpoint: config.aws.stsEndpoint,
  timeoutMs: config.aws.stsTimeoutMs,
  credentials: cfg.brokerCredentials,
});
await sts.detectIdentity();
const timedSts: StsPort = {
  assumeRole: (input) => tracer.upstream(() => sts.assumeRole(input)),
  isRoleChained: () => sts.isRoleChained(),
};
const federation = createFederationAdapter({ federationUrl: config.aws.federationUrl, issuer: config.publicUrl, timeoutMs: config.aws.federationTimeoutMs });
const timedFederation: FederationPort = { signInUrl: (input) => tracer.upstream(() => federation.signInUrl(input)) };

const app = createApp({
  config,
  repositories: createRepositories(database, { exportStatementTimeoutMs: config.exports.statementTimeoutMs }),
  log,
  sts: timedSts,
  federation: timedFederation,
  oidc: createOidcAdapter(config.oidc!, `${config.publicUrl}/auth/oidc/callback`),
  sessionSecret: config.sessionSecret!,
  webDist: '/nonexistent',
});
const server = http.createServer(tracer.wrap(app));
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(cfg.port, '127.0.0.1', resolve));

serveChild({ url: config.publicUrl }, tracer.ops, async () => {
  server.closeAllConnections();
  server.close();
  sts.destroy();
  await database.close();
});
