import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { AppError, createGrantService, type Clock, type FederationPort, type StsPort } from '@rolegate/core';
import {
  createGrantRepository,
  createLoginTransactionRepository,
  createMappingRepository,
  createSessionRepository,
  createUserRepository,
  type Database,
} from '@rolegate/db';
import type { OidcAdapter } from './adapters/oidc.js';
import { createOidcLoginService } from './auth/oidc-login.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createCsrf } from './middleware/csrf.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { SESSION_COOKIE_PLAIN, SESSION_COOKIE_SECURE, sessionMiddleware } from './middleware/session.js';
import { apiRoutes } from './routes/api.js';
import { authRoutes } from './routes/auth.js';
import { consoleLinkRoutes } from './routes/console-link.js';
import { healthRoutes } from './routes/health.js';

export interface AppDeps {
  config: Readonly<Config>;
  database: Database;
  log: Logger;
  sts: StsPort;
  federation: FederationPort;
  oidc: OidcAdapter | null;
  sessionSecret: string;
  clock?: Clock;
  /** Folder with the built web app; served at `/` when present. */
  webDist?: string;
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
  const { config, database, log } = deps;
  const prisma = database.prisma;
  const grants = createGrantRepository(prisma);
  const mappings = createMappingRepository(prisma);
  const grantService = createGrantService({
    mappings,
    grants,
    sts: deps.sts,
    federation: deps.federation,
    clock: deps.clock ?? { now: () => new Date() },
  });
  const csrf = createCsrf();
  const oidcLogin = deps.oidc
    ? createOidcLoginService({
        oidc: deps.oidc,
        transactions: createLoginTransactionRepository(prisma),
        users: createUserRepository(prisma),
        log,
      })
    : null;
  const rbac = { adminGroups: config.adminGroups, auditorGroups: config.auditorGroups };
  const cookieName = config.secureCookies ? SESSION_COOKIE_SECURE : SESSION_COOKIE_PLAIN;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Paths only: query strings can carry OAuth codes and state.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
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
          formAction: ["'self'", ...(config.oidc ? [new URL(config.oidc.issuer).origin] : [])],
          frameAncestors: ["'none'"],
          ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use(healthRoutes({ database }));
  app.use(sessionMiddleware({ repo: createSessionRepository(prisma), secret: deps.sessionSecret, ttlSeconds: config.sessionTtlSeconds, secure: config.secureCookies }));
  app.use(express.json({ limit: config.bodyLimit, strict: true }));
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimit, parameterLimit: 20 }));

  app.use('/auth', authRoutes({ oidcLogin, csrf, publicUrl: config.publicUrl, demo: config.demo, cookieName }));
  app.use('/console', consoleLinkRoutes({ grantService }));
  app.use('/api', requireJson, csrf.csrfSynchronisedProtection, apiRoutes({ grantService, grants, csrf, rbac, demo: config.demo }));

  const webDist = deps.webDist ?? DEFAULT_WEB_DIST;
  if (existsSync(path.join(webDist, 'index.html'))) {
    app.use(express.static(webDist, { index: false, maxAge: '1h', setHeaders: (res, file) => {
      if (file.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    } }));
    app.get(/^\/(?!api\/|auth\/|console\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.set('Cache-Control', 'no-cache').sendFile(path.join(webDist, 'index.html'));
    });
  }

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
