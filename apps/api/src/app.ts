import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { ROUTES } from '@rolegate/contract';
import helmet from 'helmet';
import { AppError, appRolesFor, createGrantService, type BrokerIdentityPort, type Clock, type FederationPort, type StsPort } from '@rolegate/core';
import { createCachedMappingSource, createCachedSessionRepository, MAPPINGS_CHANNEL, SESSIONS_CHANNEL, type Repositories } from '@rolegate/db';
import { routesAt } from './http/route.js';
import { instrumentFederation } from './adapters/instrumented-federation.js';
import { instrumentGrantStore } from './adapters/instrumented-grant-store.js';
import { instrumentSignIn } from './adapters/instrumented-sign-in.js';
import { instrumentSts } from './adapters/instrumented-sts.js';
import type { IamControlPort } from './adapters/iam.js';
import type { OidcAdapter } from './adapters/oidc.js';
import { cliBearerAuth, csrfUnlessBearer } from './auth/cli/bearer.js';
import { createFailureLimiter } from './middleware/failure-limit.js';
import { createGrantIdempotency } from './services/grant-idempotency.js';
import { createCliLoginService } from './auth/cli/login.js';
import { createCliTokenService, type GroupsRecheck } from './auth/cli/tokens.js';
import { bearerHashKey } from './auth/cli/fns.js';
import { createOidcLoginService } from './auth/oidc/login.js';
import { refreshTokenKey } from './auth/oidc/refresh-box.js';
import { createSamlLoginService } from './auth/saml/login.js';
import type { SamlServiceProvider } from './auth/saml/sp.js';
import type { Config } from './config.js';
import { requestLogger, type Logger } from './logger.js';
import { createRetrier } from './reconciler.js';
import { rejectNulInBody, rejectNulInUrl } from './middleware/nul-bytes.js';
import { createMetrics, metricsHandler, type Metrics } from './observability/metrics.js';
import { openApiHandler } from './observability/openapi.js';
import { createCsrf, sameOriginWrites } from './middleware/csrf.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { createRateLimiters } from './middleware/rate-limit.js';
import { SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE, sessionMiddleware } from './auth/session.js';
import { adminRoutes, IMPORT_BODY_LIMIT } from './routes/admin.js';
import { apiRoutes, awsClientDefaultsOf } from './routes/api.js';
import { requestRoutes, reviewRoutes } from './routes/requests.js';
import { createRequestService } from './services/request-service.js';
import { announcerFor } from './notifications/announce.js';
import { slackUserLookupFor } from './notifications/channels.js';
import { slackInteractionRoutes } from './slack/interactions.js';
import { auditRoutes } from './routes/audit.js';
import { createExportSlots, EXPORTS_PER_USER } from './services/audit-export.js';
import { requireUser } from './middleware/auth.js';
import { brokerPrincipalResolver, createAdminService } from './services/admin-service.js';
import { createMappingCheckService } from './services/mapping-check-service.js';
import { createAdminUserService } from './services/admin-user-service.js';
import { createRevocationService } from './services/revocation-service.js';
import { adminRevocationRoutes, auditRevocationRoutes, grantRevocationRoutes } from './routes/revocations.js';
import { authRoutes } from './routes/auth.js';
import { signInSession } from './auth/session.js';
import { samlRoutes } from './routes/saml.js';
import { cliApiRoutes, cliPageRoutes } from './routes/cli.js';
import { consoleLinkRoutes } from './routes/console-link.js';
import { healthRoutes } from './routes/health.js';
import { PAGES_CSS } from './http/pages.js';
import { createScimFeature } from './scim/index.js';

export interface AppDeps {
  config: Readonly<Config>;
  /** Every repository, each on its pool (`createRepositories` in @rolegate/db); the app never holds a pool or a Prisma client. */
  repositories: Repositories;
  log: Logger;
  sts: StsPort;
  federation: FederationPort;
  oidc: OidcAdapter | null;
  /** SAML service provider (createSamlServiceProvider); absent or null when SAML is not configured. */
  saml?: SamlServiceProvider | null;
  sessionSecret: string;
  clock?: Clock;
  /** Folder with the built web app; served at `/` when present. */
  webDist?: string;
  /** This app's metrics (own registry); created when absent. */
  metrics?: Metrics;
  /** Background retries of outcome writes the database lost (default: 30 tries, 2 s apart). */
  retryLater?: (write: () => Promise<unknown>) => void;
  /** True while the process shuts down; /readyz then answers 503. */
  isDraining?: () => boolean;
  /** Who the broker is at AWS, for trust policies (the STS adapter implements it); unknown when absent. */
  brokerIdentity?: BrokerIdentityPort;
  /** IAM in each account through its control role (adapters/iam.ts); absent = checks answer "cannot check". */
  iam?: IamControlPort;
}

const DEFAULT_WEB_DIST = path.resolve(import.meta.dirname, '../../web/dist');

/** JSON only for state-changing API calls: a form post from another site cannot reach a handler. */
const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0';
  if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method) && (hasBody || req.headers['transfer-encoding']) && !req.is('application/json')) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON with content-type application/json'));
    return;
  }
  next();
};

/** Builds the Express application from its dependencies (the composition root for HTTP). */
export function createApp(deps: AppDeps): Express {
  const { config, repositories: repos, log } = deps;
  const metrics = deps.metrics ?? createMetrics({ pool: repos.poolStats });
  const grants = instrumentGrantStore(repos.grants, metrics);
  // Sessions and mappings are read on every request and grant and change rarely: served from memory,
  // dropped on every change Postgres notifies, read through while the feed is down (see ARCHITECTURE.md).
  const changeFeed = (channel: string, what: string) => {
    const feed = repos.changeFeed(channel, (err) =>
      log.warn({ err }, `${what} change feed interrupted; reading ${what} from the database until it reconnects`),
    );
    metrics.watchFeed(channel, feed);
    return feed;
  };
  const mappings = createCachedMappingSource(repos.mappings, changeFeed(MAPPINGS_CHANNEL, 'mappings'));
  repos.onMappingsWritten(mappings.invalidate);
  const sessions = createCachedSessionRepository(repos.sessions, changeFeed(SESSIONS_CHANNEL, 'sessions'));
  const brokerIdentity = deps.brokerIdentity ? () => deps.brokerIdentity!.detectIdentity() : async () => null;
  const mappingChecks = createMappingCheckService({
    checks: repos.mappingChecks,
    mappings: repos.adminMappings,
    iam: deps.iam,
    brokerPrincipal: brokerPrincipalResolver(brokerIdentity, config.brokerPrincipalArn),
    log,
  });
  metrics.watchMappingChecks(repos.mappingChecks.counts);
  const grantService = createGrantService({
    mappings,
    grants,
    sts: instrumentSts(deps.sts, metrics),
    federation: instrumentFederation(deps.federation, metrics),
    retryLater: deps.retryLater ?? createRetrier({ attempts: 30, delayMs: 2000, log }).retryLater,
    isAdmin: (p) => appRolesFor(p.groups, { adminGroups: config.adminGroups, auditorGroups: config.auditorGroups }).includes('admin'),
    windows: repos.requests,
    roleCheckProblems: mappingChecks.problemsOf,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  metrics.watchReviews(repos.requests.reviewCounts);
  const requestService = createRequestService({
    requests: repos.requests,
    mappings,
    rbac: { adminGroups: config.adminGroups, auditorGroups: config.auditorGroups },
    ...(deps.clock ? { clock: deps.clock } : {}),
    announce: announcerFor(config),
  });
  const csrf = createCsrf();
  const cliTokens = createCliTokenService({
    tokens: repos.cliTokens,
    mappings,
    clock: deps.clock ?? { now: () => new Date() },
    ttlSeconds: config.cliTokenTtlSeconds,
    hashKey: bearerHashKey(deps.sessionSecret),
    groupsRecheck: refreshGroups(config, deps.oidc, deps.sessionSecret),
    log,
  });
  const cliLogin = createCliLoginService({
    logins: repos.cliLogins,
    tokens: cliTokens,
    publicUrl: config.publicUrl,
    hashKey: bearerHashKey(deps.sessionSecret),
  });
  const oidcLogin = deps.oidc
    ? instrumentSignIn(
        createOidcLoginService({
          oidc: deps.oidc,
          transactions: repos.loginTransactions,
          users: repos.users,
          log,
          ...(config.oidc?.refreshGroups ? { refreshKey: refreshTokenKey(deps.sessionSecret) } : {}),
        }),
        'oidc',
        metrics,
      )
    : null;
  const samlLogin =
    deps.saml && config.saml
      ? instrumentSignIn(createSamlLoginService({ sp: deps.saml, settings: config.saml, requests: repos.saml, users: repos.users, log }), 'saml', metrics)
      : null;
  const rbac = { adminGroups: config.adminGroups, auditorGroups: config.auditorGroups };
  const cookieName = config.secureCookies ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;
  const limits = createRateLimiters({ repo: repos.rateLimits, settings: config.rateLimits, log });
  const sameOrigin = sameOriginWrites(config.publicUrl);
  const auditGrants = repos.auditGrants;
  const exportSlots = createExportSlots({ perUser: EXPORTS_PER_USER, perInstance: config.exports.maxConcurrent });
  const adminService = createAdminService({
    mappings: repos.adminMappings,
    changes: repos.adminChanges,
    brokerIdentity,
    brokerPrincipalOverride: config.brokerPrincipalArn,
    managedBy: config.mappingsFile,
  });
  const scim = createScimFeature({ config, repos, log, afterCutOff: sessions.forgetAll });
  const revocations = createRevocationService({
    revocations: repos.revocations,
    mappings,
    rbac: { adminGroups: config.adminGroups, auditorGroups: config.auditorGroups },
  });
  metrics.watchRevocations(repos.revocations.stateCounts);
  const adminUsers = createAdminUserService({
    users: repos.adminUsers,
    clock: deps.clock ?? { now: () => new Date() },
    afterCutOff: sessions.forgetAll,
    revocation: revocations.batch,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // No ETags on API answers: they are never cached (credentials, sign-in URLs) and hashing each body costs CPU.
  // Static assets keep theirs (express.static sets its own).
  app.set('etag', false);

  app.use(requestLogger(log));
  // NUL in the path or query: refused before any route (health and metrics included); bodies once parsed.
  app.use(rejectNulInUrl);
  app.use(metrics.httpMiddleware);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'", ...(config.oidc ? [new URL(config.oidc.issuer).origin] : []), ...(config.saml ? [new URL(config.saml.ssoUrl).origin] : [])],
          frameAncestors: ["'none'"],
          ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
      xFrameOptions: { action: 'deny' },
    }),
  );

  const on = routesAt(app.router as unknown as Router, '');
  on(ROUTES.pagesCss, (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(PAGES_CSS);
  });
  app.use(healthRoutes({ ping: repos.ping, ...(deps.isDraining ? { isDraining: deps.isDraining } : {}) }));
  on(ROUTES.metrics, metricsHandler(metrics, config.metricsToken, config.demo));
  on(ROUTES.openapi, openApiHandler({ publicUrl: config.publicUrl }));
  // SCIM: its own bearer tokens, body parser, rate limit and error format; no session.
  if (scim.protocol) app.use('/scim/v2', scim.protocol);
  // Slack's buttons: signed by Slack over the raw body (read by the route itself), no session, no CSRF.
  app.use(
    '/api/slack',
    slackInteractionRoutes({
      signingSecret: config.notify.slack.signingSecret,
      approveInSlack: config.notify.slack.approveInSlack,
      slack: repos.slack,
      lookupUser: slackUserLookupFor(config),
      groupsOf: scim.groupsOf,
      requests: requestService,
      ...(deps.clock ? { clock: deps.clock } : {}),
    }),
  );
  app.use(sessionMiddleware({ repo: sessions, secret: deps.sessionSecret, ttlSeconds: config.sessionTtlSeconds, secure: config.secureCookies }));
  // Before body parsing: a flood is refused without reading its bodies. Counters live in Postgres (shared by instances).
  // CLI bearer tokens: before the limiters (a token's grants count against its user,
  // from any address) and before every /api router, so a token reaches only
  // entitlements and grants.
  app.use(
    '/api',
    cliBearerAuth({
      tokens: cliTokens,
      failures: createFailureLimiter({ limit: config.rateLimits.bearerFailuresPerIp, windowMs: config.rateLimits.windowSeconds * 1000 }),
    }),
  );
  // With SCIM on, the caller's groups come from SCIM on every request (principalOf reads them).
  if (scim.groups) app.use(['/api', '/console', '/cli'], scim.groups);
  app.use('/auth/login', limits.signin('login'));
  app.use('/auth/oidc/callback', limits.signin('oidc-callback'));
  app.use('/auth/saml/acs', limits.signin('saml-acs'));
  // Draining (SIGTERM): no new grant starts here; the client retries on another instance.
  const refuseWhileDraining: express.RequestHandler = (_req, res, next) => {
    if (!deps.isDraining?.()) return next();
    res.set('Retry-After', '1');
    next(new AppError('SHUTTING_DOWN', 'This instance is shutting down; try again'));
  };
  on(ROUTES.createGrant, refuseWhileDraining);
  app.use('/console', refuseWhileDraining);
  on(ROUTES.createGrant, limits.grants);
  app.use('/console', limits.grants);
  // Unauthenticated CLI sign-in steps: per address, like the browser sign-in.
  on(ROUTES.cliDeviceStart, limits.signin('cli-device'));
  on(ROUTES.cliToken, limits.signin('cli-token'));
  on(ROUTES.cliDeviceLookup, limits.signin('cli-device-code'));
  on(ROUTES.logout, sameOrigin);
  // Before the app-wide body parsers: the ACS has its own urlencoded limit (SAML Responses are larger than our JSON).
  if (deps.saml && samlLogin) {
    app.use(
      '/auth/saml',
      samlRoutes({
        sp: deps.saml,
        samlLogin,
        secureCookies: config.secureCookies,
        signIn: (req, principal, authTime) => signInSession(req, principal, csrf, authTime),
      }),
    );
  }
  // The YAML import carries what the export produces (2,000+ mappings, over 1 MB): its own JSON limit, parsed only once the admin is known.
  on(ROUTES.adminImportMappings, requireUser(rbac, 'admin'), sameOrigin, requireJson, express.json({ limit: IMPORT_BODY_LIMIT, strict: true }));
  app.use(express.json({ limit: config.bodyLimit, strict: true }));
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimit, parameterLimit: 20 }));
  app.use(rejectNulInBody);

  app.use(
    '/auth',
    authRoutes({
      oidcLogin,
      samlLogin,
      csrf,
      publicUrl: config.publicUrl,
      demo: config.demo,
      cookieName,
      secureCookies: config.secureCookies,
      stepUpMaxAgeSeconds: config.stepUpMaxAgeSeconds,
    }),
  );
  app.use('/console', sameOrigin, consoleLinkRoutes({ grantService, csrf, publicUrl: config.publicUrl, federationUrl: config.aws.federationUrl }));
  app.use(
    '/cli',
    sameOrigin,
    cliPageRoutes({ login: cliLogin, csrf, tokenTtlSeconds: config.cliTokenTtlSeconds, stepUpMaxAgeSeconds: config.stepUpMaxAgeSeconds }),
  );
  app.use('/api/cli', sameOrigin, requireJson, cliApiRoutes({ login: cliLogin, tokens: cliTokens, csrf }));
  // RBAC first (signed out → 401, wrong role → 403), then the same write guards as every /api call.
  app.use('/api/admin/scim', requireUser(rbac, 'admin'), sameOrigin, requireJson, csrf.csrfSynchronisedProtection, scim.admin);
  app.use('/api/audit/scim', requireUser(rbac, 'auditor'), sameOrigin, requireJson, csrf.csrfSynchronisedProtection, scim.audit);
  app.use(
    '/api/admin',
    requireUser(rbac, 'admin'),
    sameOrigin,
    requireJson,
    csrf.csrfSynchronisedProtection,
    reviewRoutes({ requests: requestService, outbox: repos.outbox }),
    adminRevocationRoutes({ revocations }),
    adminRoutes({ admin: adminService, users: adminUsers, checks: mappingChecks }),
  );
  app.use(
    '/api/audit',
    requireUser(rbac, 'auditor'),
    sameOrigin,
    requireJson,
    csrf.csrfSynchronisedProtection,
    auditRevocationRoutes({ revocations }),
    auditRoutes({
      grants: auditGrants,
      revocations: repos.revocations,
      log,
      exports: { slots: exportSlots, idleReaderTimeoutMs: config.exports.idleReaderTimeoutMs },
    }),
  );
  const idempotency = createGrantIdempotency({ keys: repos.idempotencyKeys, findGrant: (id) => auditGrants.findById(id) });
  // Requests before the rest of /api (whose router ends in a 404); every handler reads its principal (401 when signed out).
  app.use(
    '/api',
    sameOrigin,
    requireJson,
    csrfUnlessBearer(csrf),
    requestRoutes({ requests: requestService, stepUpMaxAgeSeconds: config.stepUpMaxAgeSeconds }),
    grantRevocationRoutes({ revocations }),
    apiRoutes({
      windows: repos.requests,
      grantService,
      idempotency,
      history: auditGrants,
      csrf,
      rbac,
      demo: config.demo,
      awsDefaults: awsClientDefaultsOf(config),
      preferences: repos.preferences,
    }),
  );

  const webDist = deps.webDist ?? DEFAULT_WEB_DIST;
  if (existsSync(path.join(webDist, 'index.html'))) {
    app.use(
      express.static(webDist, {
        index: false,
        maxAge: '1h',
        setHeaders: (res, file) => {
          if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        },
      }),
    );
    app.get(/^\/(?!api\/|auth\/|console\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.set('Cache-Control', 'no-cache').sendFile(path.join(webDist, 'index.html'));
    });
  }

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}

/** CLI token group re-checks at the OIDC IdP, when OIDC_REFRESH_GROUPS is on. */
function refreshGroups(config: Config, oidc: OidcAdapter | null | undefined, sessionSecret: string): GroupsRecheck | null {
  if (!config.oidc?.refreshGroups || !oidc) return null;
  return {
    intervalSeconds: config.oidc.groupsRecheckSeconds,
    key: refreshTokenKey(sessionSecret),
    refresh: (token, subject) => oidc.refreshGroups(token, subject),
  };
}
