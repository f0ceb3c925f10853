import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { startAwsEmulator, type AwsEmulator } from '@rolegate/aws-emulator';
import { DEMO_USERS, signInByHttp, startDevOidcProvider, type DemoUser, type DevOidcProvider } from '@rolegate/dev-idp';
import { createDatabase, createMappingRepository, createRepositories, type Database, type Repositories } from '@rolegate/db';
import { asLoginRole, createTestDatabase as createDatabaseFromTemplate } from '@rolegate/db/testing';
import { createFederationAdapter } from '../../src/adapters/federation.js';
import { createOidcAdapter } from '../../src/adapters/oidc.js';
import { createStsAdapter } from '../../src/adapters/sts.js';
import { createIamAdapter, type IamControlPort } from '../../src/adapters/iam.js';
import { createRevocationWorker, type RevocationWorker } from '../../src/revocation/worker.js';
import { createRevocationPolicyIam } from '../../src/revocation/iam-policy.js';
import { createApp } from '../../src/app.js';
import { createSamlServiceProvider } from '../../src/auth/saml/sp.js';
import { loadConfig } from '../../src/config.js';
import { DEMO_MAPPINGS_FILE } from '../../src/demo.js';
import { createLogger } from '../../src/logger.js';
import { parseMappingsYaml, toDeclared } from '../../src/mappings-file.js';
import { startDbProxy } from './db-proxy.js';
import { TestBrowser } from './http-client.js';
import { startStackSaml, type StackSamlIdp } from './saml-stack.js';

export const BROKER_ARN = 'arn:aws:iam::000000000000:user/rolegate-broker';
/** One account and one role for engineers: sandbox / Developer (111111111111), up to 4 h. */
export const SANDBOX_DEVELOPER = `
accounts:
  - { id: "111111111111", name: sandbox }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
`;

/** The stack's METRICS_TOKEN: outside the demo, /metrics answers only with it. */
/** An extra person for `startStack({ extraUsers })`: email from the user name, a random password. */
export const testPerson = (username: string, groups: string[]): DemoUser => ({
  username,
  email: `${username}@example.com`,
  name: username,
  groups,
  password: randomBytes(12).toString('base64url'),
});

export const METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

/**
 * A fresh database for one test file: a clone of the migrated template, or
 * (`empty`) one with no schema at all, for migration tests.
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<string> {
  return createDatabaseFromTemplate({ adminUrl: inject('pgAdminUrl'), template: inject('pgTemplate'), owner: inject('pgOwnerRole') }, opts);
}

/** `url` (a test database) as another role: `runtime` (what the app connects as) or `owner` (owns the tables). */
export function asRole(url: string, role: 'runtime' | 'owner'): string {
  return asLoginRole(url, inject(role === 'runtime' ? 'pgRuntimeRole' : 'pgOwnerRole'));
}

export interface StackOptions {
  /** The app pool's statement timeout (its client-side query timeout is 2 s more); default 15 s. */
  statementTimeoutMs?: number;
  /** The broker's own AWS identity at the emulator (an assumed-role ARN makes it role-chained). */
  brokerArn?: string;
  /** Skip asking STS who the broker is before the first grant. */
  skipIdentityDetection?: boolean;
  /** Mappings YAML (MAPPINGS_FILE format); default: the demo mappings. */
  mappingsYaml?: string;
  /** Role ARNs the emulator should NOT know (to provoke AccessDenied). */
  untrustedRoles?: string[];
  env?: Record<string, string>;
  webDist?: string;
  /** Point the app at this OIDC IdP instead of the dev IdP (e.g. the attack IdP of test/support/evil-oidc.ts). */
  oidcProvider?: { issuer: string; clientId: string; clientSecret: string };
  /**
   * Revocation at AWS: every account gets a control role (RolegateControl, trusted by the broker,
   * set as the account's controlRoleArn) and a RolegateRevocations policy attached to every brokered
   * role next to an allow-all inline policy; the app gets the IAM adapter, and each instance runs a
   * revocation worker (started every `intervalMs`, default 200, unless `autoStart: false`).
   */
  revocations?: { intervalMs?: number; autoStart?: boolean; retryBaseMs?: number; maxChars?: number; seedPolicies?: boolean };
  /** More people at the dev IdP, besides the demo users. */
  extraUsers?: DemoUser[];
  /** Also configure SAML: the mutable test IdP (stack.samlIdp) or the dev SAML IdP over HTTP (stack.devSamlIdp). */
  saml?: StackSamlIdp;
}

/**
 * The whole broker as it runs: real Postgres (through a cuttable proxy), the
 * dev OIDC provider and the AWS emulator over HTTP, the app built by its
 * factory and listening on a random port.
 */
export async function startStack(opts: StackOptions = {}) {
  const yamlText = opts.mappingsYaml ?? (await readFile(DEMO_MAPPINGS_FILE, 'utf8'));
  const doc = parseMappingsYaml(yamlText);
  const brokerCredentials = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
  const untrusted = new Set(opts.untrustedRoles ?? []);
  const broker = opts.brokerArn ?? BROKER_ARN;
  const rev = opts.revocations ? revocationSetUp(doc, broker, opts.revocations.seedPolicies ?? true) : null;
  if (rev) doc.accounts = doc.accounts.map((a) => ({ ...a, controlRoleArn: controlRoleArnOf(a.id) }));
  const aws: AwsEmulator = await startAwsEmulator({
    callers: [{ ...brokerCredentials, arn: broker }],
    roles: [
      ...[...new Set(doc.mappings.map((m) => m.roleArn))]
        .filter((arn) => !untrusted.has(arn))
        .map((arn) => ({ arn, maxSessionDuration: 43200, trustedPrincipals: [broker], ...rev?.brokeredRole(arn) })),
      ...(rev?.controlRoles ?? []),
    ],
    ...(rev ? { managedPolicies: rev.policies, buckets: rev.buckets } : {}),
  });

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clientSecret = randomBytes(24).toString('base64url');
  const idp: DevOidcProvider = await startDevOidcProvider({
    clients: [{ clientId: 'rolegate-test', clientSecret, redirectUris: [`${baseUrl}/auth/oidc/callback`] }],
    ...(opts.extraUsers
      ? { users: [...DEMO_USERS.map((u) => ({ ...u, groups: [...u.groups], password: randomBytes(12).toString('base64url') })), ...opts.extraUsers] }
      : {}),
  });

  const saml = opts.saml ? await startStackSaml(opts.saml, baseUrl, idp.users) : null;

  const dbUrl = await createTestDatabase();
  const target = new URL(dbUrl);
  const proxy = await startDbProxy({ host: target.hostname, port: Number(target.port) });
  // The app connects as the least-privilege runtime role; `sql` below stays the admin's.
  const runtimeUrl = asRole(dbUrl, 'runtime');
  const proxiedUrl = new URL(runtimeUrl);
  proxiedUrl.port = String(proxy.port);
  const database: Database = createDatabase({
    url: proxiedUrl.toString(),
    connectTimeoutMs: 1000,
    ...(opts.statementTimeoutMs ? { statementTimeoutMs: opts.statementTimeoutMs } : {}),
  });
  // The test's own connection: bulk seeding on a busy machine may take longer than the app's 15 s statement timeout.
  const direct: Database = createDatabase({ url: dbUrl, max: 4, statementTimeoutMs: 120_000 });
  await createMappingRepository(direct).applyDeclared(toDeclared(doc));

  const config = loadConfig({
    PUBLIC_URL: baseUrl,
    ROLEGATE_DEMO: '0',
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    DATABASE_URL: proxiedUrl.toString(),
    OIDC_ISSUER: opts.oidcProvider?.issuer ?? idp.issuer,
    OIDC_CLIENT_ID: opts.oidcProvider?.clientId ?? 'rolegate-test',
    OIDC_CLIENT_SECRET: opts.oidcProvider?.clientSecret ?? clientSecret,
    OIDC_SCOPES: 'openid email profile groups',
    AWS_ENDPOINT_URL_STS: aws.stsUrl,
    FEDERATION_URL: aws.federationUrl,
    ADMIN_GROUPS: 'platform-admins',
    AUDITOR_GROUPS: 'auditors',
    METRICS_TOKEN,
    STS_TIMEOUT_MS: '3000',
    FEDERATION_TIMEOUT_MS: '3000',
    // Test files sign in far more often than a person; rate-limit.test.ts sets real limits.
    RATE_LIMIT_SIGNIN: '100000',
    RATE_LIMIT_GRANTS: '100000',
    RATE_LIMIT_BEARER_FAILURES: '100000',
    ...saml?.env,
    ...opts.env,
  });
  const logLines: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString('utf8'));
        cb();
      },
    }),
  });
  const sts = createStsAdapter({ region: 'us-east-1', endpoint: aws.stsUrl, timeoutMs: config.aws.stsTimeoutMs, credentials: brokerCredentials });
  if (!opts.skipIdentityDetection) await sts.detectIdentity();
  aws.clearLog();
  /** IAM through each account's control role, as main.ts builds it (one per instance). */
  const iamAdapters: IamControlPort[] = [];
  const iamAdapter = () => {
    const adapter = createIamAdapter({
      region: 'us-east-1',
      stsEndpoint: aws.stsUrl,
      iamEndpoint: aws.iamUrl,
      timeoutMs: config.aws.iamTimeoutMs,
      revocationPolicyName: config.aws.revocationPolicyName,
      controlRoleOf: async (id) =>
        (await direct.pool.query<{ control_role_arn: string | null }>(`SELECT control_role_arn FROM accounts WHERE id = $1`, [id])).rows[0]?.control_role_arn ??
        null,
      credentials: brokerCredentials,
    });
    iamAdapters.push(adapter);
    return adapter;
  };
  const workers: RevocationWorker[] = [];
  /** The revocation worker of an instance (main.ts runs one per replica). */
  const workerOn = (repositories: Repositories, iam: IamControlPort) => {
    const worker = createRevocationWorker({
      revocations: repositories.revocations,
      iam: createRevocationPolicyIam(iam),
      log,
      backoff: { baseMs: opts.revocations?.retryBaseMs ?? 300, maxMs: 2000 },
      ...(opts.revocations?.maxChars ? { maxChars: opts.revocations.maxChars } : {}),
    });
    if (opts.revocations?.autoStart !== false) worker.start(opts.revocations?.intervalMs ?? 200);
    workers.push(worker);
    return worker;
  };
  /** An app on `db`, wired as every instance of this stack is (same IdP, AWS, secret), with its revocation worker when asked for. */
  const instanceOn = (db: Database, webDist = '/nonexistent') => {
    const repositories = createRepositories(db, { exportStatementTimeoutMs: config.exports.statementTimeoutMs });
    const iam = iamAdapter();
    return { app: appWith(repositories, iam, webDist), worker: opts.revocations ? workerOn(repositories, iam) : null };
  };
  const appWith = (repositories: Repositories, iam: IamControlPort, webDist: string) =>
    createApp({
      config,
      repositories,
      log,
      sts,
      iam,
      brokerIdentity: sts,
      federation: createFederationAdapter({ federationUrl: aws.federationUrl, issuer: baseUrl, timeoutMs: config.aws.federationTimeoutMs }),
      oidc: createOidcAdapter(config.oidc!, `${baseUrl}/auth/oidc/callback`),
      saml: config.saml ? createSamlServiceProvider(config.saml) : null,
      sessionSecret: config.sessionSecret!,
      webDist,
    });
  const main = instanceOn(database, opts.webDist);
  const app = main.app;
  server.on('request', app);

  const instances: { close(): Promise<void> }[] = [];
  /** Another app instance (own server, own connection pool) on the same database, like a second replica. */
  async function startInstance() {
    const srv = http.createServer();
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const db2: Database = createDatabase({ url: runtimeUrl, max: 4 });
    const second = instanceOn(db2);
    srv.on('request', second.app);
    const instance = {
      baseUrl: url,
      /** This instance's revocation worker (with `revocations`). */
      revocationWorker: second.worker,
      /** A browser talking to this instance. */
      browser: () => new TestBrowser(url),
      async close() {
        srv.closeAllConnections();
        await new Promise<void>((resolve) => srv.close(() => resolve()));
        await db2.close().catch(() => {});
      },
    };
    instances.push(instance);
    return instance;
  }

  function userPassword(username: string): string {
    const u = idp.users.find((x) => x.username === username);
    if (!u) throw new Error(`no demo user ${username}`);
    return u.password;
  }

  return {
    baseUrl,
    /** The Express app this stack serves (for tests that inspect its routes). */
    app,
    aws,
    /** The broker's own AWS credentials at the emulator. */
    brokerCredentials,
    idp,
    /** The SAML test IdP (with `saml: 'test-idp'`). */
    samlIdp: saml?.testIdp ?? null,
    /** The dev SAML IdP (with `saml: 'dev-idp'`). */
    devSamlIdp: saml?.devIdp ?? null,
    proxy,
    database,
    /** The test database as the app's runtime role (bypassing the proxy), for least-privilege tests. */
    runtimeUrl,
    /** A second connection that bypasses the proxy, for assertions (as the admin, not the app's role). */
    sql: direct.pool,
    prisma: direct.prisma,
    logLines,
    browser: () => new TestBrowser(baseUrl),
    userPassword,
    startInstance,
    /** Signs `username` in through the dev IdP by HTTP and returns the browser with its session. */
    async signIn(username: string, returnTo = '/') {
      const b = new TestBrowser(baseUrl);
      const start = await b.get(`/auth/login?provider=oidc&returnTo=${encodeURIComponent(returnTo)}`);
      if (start.status !== 302 || !start.location) throw new Error(`login did not redirect: ${start.status} ${start.text}`);
      const callback = await signInByHttp(start.location, username, userPassword(username));
      const done = await b.get(callback);
      if (done.status !== 303) throw new Error(`callback failed: ${done.status} ${done.text}`);
      await b.me();
      return b;
    },
    /** Mapping ids by role name (the last part of the role ARN, which must be unique in the test's mappings). */
    async mappingIds(): Promise<Record<string, string>> {
      const ids: Record<string, string> = {};
      for (const r of (await direct.pool.query<{ id: string; role_arn: string }>(`SELECT id, role_arn FROM role_mappings`)).rows) {
        const name = r.role_arn.split('/').pop()!;
        if (ids[name]) throw new Error(`two mappings name role ${name}; use mappingId(roleArn, group)`);
        ids[name] = r.id;
      }
      return ids;
    },
    /** The id of the mapping of `group` to `roleArn`. */
    async mappingId(roleArn: string, group = 'engineers'): Promise<string> {
      const res = await direct.pool.query<{ id: string }>(`SELECT id FROM role_mappings WHERE role_arn = $1 AND "group" = $2`, [roleArn, group]);
      if (!res.rows[0]) throw new Error(`no mapping of ${group} to ${roleArn}`);
      return res.rows[0].id;
    },
    /** The grant rows of the test database, newest first. */
    async grantRows(where = 'TRUE', params: unknown[] = []) {
      const res = await direct.pool.query(`SELECT * FROM grants WHERE ${where} ORDER BY created_at DESC, id DESC`, params);
      return res.rows;
    },
    /** The first instance's revocation worker (with `revocations`). */
    revocationWorker: main.worker,
    async close() {
      for (const w of workers) await w.stop();
      for (const i of instances) await i.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      sts.destroy();
      for (const iam of iamAdapters) iam.destroy();
      await database.close().catch(() => {});
      await direct.close().catch(() => {});
      await proxy.close();
      await idp.close();
      await saml?.close();
      await aws.close();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** The control role of an account in the revocation set-up. */
export const controlRoleArnOf = (accountId: string) => `arn:aws:iam::${accountId}:role/RolegateControl`;
/** The revocation policy of an account (default REVOCATION_POLICY_NAME). */
export const revocationPolicyArnIn = (accountId: string) => `arn:aws:iam::${accountId}:policy/RolegateRevocations`;
/** A bucket every account has, so that ListBuckets answers with something. */
export const bucketOf = (accountId: string) => `bucket-${accountId}`;
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** The operator's placeholder first version (docs/deploy.md): denies nothing. */
const PLACEHOLDER = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'NoRevocations', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': 'none' } } },
  ],
};

/** The emulator side of revocation as an operator sets it up (docs/deploy.md): control roles, policies, attachments. */
function revocationSetUp(doc: { accounts: { id: string }[]; mappings: { roleArn: string }[] }, broker: string, seedPolicies: boolean) {
  const accounts = [...new Set([...doc.accounts.map((a) => a.id), ...doc.mappings.map((m) => m.roleArn.split(':')[4]!)])];
  return {
    policies: seedPolicies ? accounts.map((id) => ({ arn: revocationPolicyArnIn(id), document: PLACEHOLDER })) : [],
    controlRoles: accounts.map((id) => ({ arn: controlRoleArnOf(id), trustedPrincipals: [broker], inlinePolicies: { Iam: ALLOW_ALL } })),
    buckets: accounts.map((id) => ({ account: id, name: bucketOf(id) })),
    brokeredRole: (arn: string) => ({
      inlinePolicies: { AllowAll: ALLOW_ALL },
      attachedPolicyArns: seedPolicies ? [revocationPolicyArnIn(arn.split(':')[4]!)] : [],
    }),
  };
}
