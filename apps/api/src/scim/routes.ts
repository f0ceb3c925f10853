import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { ROUTES } from '@rolegate/contract';
import type { RateLimitRepository, ScimActor, ScimRepository } from '@rolegate/db';
import { routesAt } from '../http/route.js';
import type { Logger } from '../logger.js';
import { createFailureLimiter } from '../middleware/failure-limit.js';
import { PostgresRateLimitStore, retryAfterSeconds } from '../middleware/rate-limit.js';
import { ScimError, scimErrorHandler, SCIM_CONTENT_TYPE } from './errors.js';
import { parseFilter, parsePage } from './filter.js';
import { applyPatch, patchOperationsOf } from './patch.js';
import {
  etagOf,
  excludedOf,
  groupPatchable,
  groupResource,
  groupWriteOf,
  listResponse,
  resourceTypes,
  schemas,
  serviceProviderConfig,
  userPatchable,
  userResource,
  userWriteOf,
  versionOf,
} from './resources.js';
import { scimBearerOf, scimTokenHash } from './tokens.js';

/** Largest page a list answers (ServiceProviderConfig filter.maxResults). */
export const SCIM_MAX_RESULTS = 200;

export interface ScimRouteDeps {
  repo: ScimRepository;
  /** HMAC key of token hashes (scimTokenKey). */
  tokenKey: Buffer;
  /** `${PUBLIC_URL}/scim/v2`, for locations and $ref. */
  baseUrl: string;
  bodyLimit: string;
  rateLimit: { repo: RateLimitRepository; windowSeconds: number; requestsPerIp: number; failuresPerIp: number };
  /** Drops this instance's cached sessions after a person was cut off (other instances hear the NOTIFY). */
  afterCutOff: () => void;
  log: Logger;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point
  namespace Express {
    interface Request {
      /** Set on /scim/v2 requests once the bearer token is known: the IdP, named by the token's label. */
      scimActor?: ScimActor;
    }
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What Postgres cannot store in text or jsonb — NUL, unpaired UTF-16
 * surrogates — or nesting no SCIM resource has; null when the body is fine.
 * Without this such a body reached the database and came back as a 500.
 */
export function unstorable(value: unknown, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? 'a NUL character' : LONE_SURROGATE.test(value) ? 'an unpaired surrogate' : null;
  if (value === null || typeof value !== 'object') return null;
  if (depth > 16) return 'nesting deeper than 16 levels';
  for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value as Record<string, unknown>)) {
    const problem = (typeof k === 'string' ? unstorable(k, depth + 1) : null) ?? unstorable(v, depth + 1);
    if (problem) return problem;
  }
  return null;
}

function send(res: Response, status: number, body: unknown, version?: number): void {
  if (version !== undefined) res.set('ETag', etagOf(version));
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

const actorOf = (req: Request): ScimActor => req.scimActor!;

/** A store refusal as the SCIM error it is. */
function refusal(r: { reason: string; detail?: string }, what: string): ScimError {
  switch (r.reason) {
    case 'not-found':
      return new ScimError(404, null, `${what} not found`);
    case 'conflict':
      return new ScimError(409, 'uniqueness', r.detail ?? `${what} already exists`);
    case 'version-mismatch':
      return new ScimError(412, null, `${what} has changed since that version (If-Match)`);
    default:
      return new ScimError(400, 'invalidValue', r.detail ?? `${what} is not valid`);
  }
}

/**
 * `/scim/v2`: the SCIM 2.0 service provider (RFC 7643/7644) the IdP pushes
 * people and groups to. Own body parser (application/scim+json or JSON),
 * own error format, bearer tokens of its own; every change is recorded by
 * the store with the token's label as actor.
 */
export function scimRoutes(deps: ScimRouteDeps): Router {
  const router = Router();
  const { repo } = deps;
  const windowMs = deps.rateLimit.windowSeconds * 1000;
  const failures = createFailureLimiter({ limit: deps.rateLimit.failuresPerIp, windowMs });
  const note = (e: { method: string; path: string; status: number; scimType: string | null; detail: string }) => {
    repo.recordError(e).catch((err: Error) => deps.log.warn({ err: err.message }, 'could not record a SCIM error'));
  };

  // Per client address, in Postgres (shared by instances): IdPs push in bursts; the default is far above them.
  router.use(
    rateLimit({
      windowMs,
      limit: deps.rateLimit.requestsPerIp,
      store: new PostgresRateLimitStore(deps.rateLimit.repo, 'scim:'),
      keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      passOnStoreError: false,
      handler: (req, res, next) => {
        const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
        res.set('Retry-After', String(retryAfterSeconds(info?.resetTime, Date.now(), windowMs)));
        next(new ScimError(429, null, 'Too many requests; try again later'));
      },
    }),
  );

  const authenticate: RequestHandler = async (req, res, next) => {
    const address = `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    const waitMs = failures.blockedFor(address);
    if (waitMs > 0) {
      res.set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      throw new ScimError(429, null, 'Too many invalid tokens from this address; try again later');
    }
    const token = scimBearerOf(req.get('authorization'));
    if (token === null) throw new ScimError(401, null, 'Authorization: Bearer <token> is required');
    const found = token === 'malformed' ? null : await repo.findToken(scimTokenHash(deps.tokenKey, token));
    if (!found) {
      failures.fail(address);
      throw new ScimError(401, null, 'The bearer token is not valid');
    }
    req.scimActor = { label: `scim:${found.label}`, tokenId: found.id };
    next();
  };
  router.use(authenticate);
  router.use(express.json({ limit: deps.bodyLimit, strict: true, type: ['application/scim+json', 'application/json'] }));
  router.use((req, _res, next) => {
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is(['application/scim+json', 'application/json'])) {
      throw new ScimError(415, null, 'Send application/scim+json (or application/json)');
    }
    const problem = unstorable(req.body);
    if (problem) throw new ScimError(400, 'invalidValue', `The request contains ${problem}`);
    next();
  });

  // Method and path of each route come from the contract's ROUTES table.
  const on = routesAt(router, '/scim/v2');

  // ---- discovery ----
  on(ROUTES.scimServiceProviderConfig, (_req, res) => send(res, 200, serviceProviderConfig(deps.baseUrl, SCIM_MAX_RESULTS)));
  on(ROUTES.scimResourceTypes, (_req, res) => {
    const all = resourceTypes(deps.baseUrl);
    send(res, 200, listResponse(all, all.length, 1));
  });
  on(ROUTES.scimResourceType, (req, res) => {
    const one = resourceTypes(deps.baseUrl).find((r) => r.id === req.params.id);
    if (!one) throw new ScimError(404, null, 'No such resource type');
    send(res, 200, one);
  });
  on(ROUTES.scimSchemas, (_req, res) => {
    const all = schemas(deps.baseUrl);
    send(res, 200, listResponse(all, all.length, 1));
  });
  on(ROUTES.scimSchema, (req, res) => {
    const one = schemas(deps.baseUrl).find((s) => s.id === req.params.id);
    if (!one) throw new ScimError(404, null, 'No such schema');
    send(res, 200, one);
  });

  // ---- users ----
  on(ROUTES.scimListUsers, async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const filter = parseFilter(q.filter);
    if (filter?.attribute === 'displayname') throw new ScimError(400, 'invalidFilter', 'Users are found by userName, externalId or id');
    const page = parsePage(q, SCIM_MAX_RESULTS);
    const { total, rows } = await repo.listUsers({ filter, ...page });
    const excluded = excludedOf(q);
    send(
      res,
      200,
      listResponse(
        rows.map((r) => userResource(r, deps.baseUrl, excluded)),
        total,
        page.startIndex,
      ),
    );
  });
  on(ROUTES.scimGetUser, async (req, res) => {
    const row = await repo.getUser(req.params.id);
    if (!row) throw new ScimError(404, null, 'User not found');
    if (req.get('if-none-match') === etagOf(row.version)) {
      res.set('ETag', etagOf(row.version)).status(304).end();
      return;
    }
    send(res, 200, userResource(row, deps.baseUrl, excludedOf(req.query as Record<string, string>)), row.version);
  });
  on(ROUTES.scimCreateUser, async (req, res) => {
    const result = await repo.createUser(userWriteOf(req.body), actorOf(req));
    if (!result.ok) throw refusal(result, 'User');
    res.set('Location', `${deps.baseUrl}/Users/${result.row.id}`);
    send(res, 201, userResource(result.row, deps.baseUrl), result.row.version);
  });
  on(ROUTES.scimReplaceUser, async (req, res) => {
    const write = userWriteOf(req.body);
    const result = await repo.updateUser(req.params.id, () => write, actorOf(req), { action: 'replace', version: versionOf(req.get('if-match')) });
    if (!result.ok) throw refusal(result, 'User');
    if (!result.row.active) deps.afterCutOff();
    send(res, 200, userResource(result.row, deps.baseUrl), result.row.version);
  });
  on(ROUTES.scimPatchUser, async (req, res) => {
    const ops = patchOperationsOf(req.body);
    let problem: ScimError | null = null;
    const result = await repo.updateUser(
      req.params.id,
      (current) => {
        try {
          return userWriteOf(applyPatch(userPatchable(current), ops));
        } catch (err) {
          if (err instanceof ScimError) {
            problem = err;
            return { refuse: err.message };
          }
          throw err;
        }
      },
      actorOf(req),
      { action: 'patch', version: versionOf(req.get('if-match')) },
    );
    if (problem) throw problem;
    if (!result.ok) throw refusal(result, 'User');
    if (!result.row.active) deps.afterCutOff();
    send(res, 200, userResource(result.row, deps.baseUrl), result.row.version);
  });
  on(ROUTES.scimDeleteUser, async (req, res) => {
    const result = await repo.deleteUser(req.params.id, actorOf(req), versionOf(req.get('if-match')));
    if (!result.ok) throw refusal(result, 'User');
    deps.afterCutOff();
    res.status(204).end();
  });

  // ---- groups ----
  on(ROUTES.scimListGroups, async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const filter = parseFilter(q.filter);
    if (filter?.attribute === 'username') throw new ScimError(400, 'invalidFilter', 'Groups are found by displayName, externalId or id');
    const page = parsePage(q, SCIM_MAX_RESULTS);
    const { total, rows } = await repo.listGroups({ filter, ...page, withMembers: !excludedOf(q).has('members') });
    send(
      res,
      200,
      listResponse(
        rows.map((r) => groupResource(r, deps.baseUrl)),
        total,
        page.startIndex,
      ),
    );
  });
  on(ROUTES.scimGetGroup, async (req, res) => {
    const row = await repo.getGroup(req.params.id, !excludedOf(req.query as Record<string, string>).has('members'));
    if (!row) throw new ScimError(404, null, 'Group not found');
    send(res, 200, groupResource(row, deps.baseUrl), row.version);
  });
  on(ROUTES.scimCreateGroup, async (req, res) => {
    const result = await repo.createGroup(groupWriteOf(req.body), actorOf(req));
    if (!result.ok) throw refusal(result, 'Group');
    res.set('Location', `${deps.baseUrl}/Groups/${result.row.id}`);
    send(res, 201, groupResource(result.row, deps.baseUrl), result.row.version);
  });
  on(ROUTES.scimReplaceGroup, async (req, res) => {
    const write = groupWriteOf(req.body);
    const result = await repo.updateGroup(req.params.id, () => write, actorOf(req), {
      action: 'replace',
      version: versionOf(req.get('if-match')),
      withMembers: true,
    });
    if (!result.ok) throw refusal(result, 'Group');
    send(res, 200, groupResource(result.row, deps.baseUrl), result.row.version);
  });
  on(ROUTES.scimPatchGroup, async (req, res) => {
    const ops = patchOperationsOf(req.body);
    let problem: ScimError | null = null;
    const result = await repo.updateGroup(
      req.params.id,
      (current) => {
        try {
          return groupWriteOf(applyPatch(groupPatchable(current), ops));
        } catch (err) {
          if (err instanceof ScimError) {
            problem = err;
            return { refuse: err.message };
          }
          throw err;
        }
      },
      actorOf(req),
      { action: 'patch', version: versionOf(req.get('if-match')), withMembers: false },
    );
    if (problem) throw problem;
    if (!result.ok) throw refusal(result, 'Group');
    // 204: a group can have thousands of members, and Okta and Entra need no body here (RFC 7644 3.5.2).
    res.set('ETag', etagOf(result.row.version)).status(204).end();
  });
  on(ROUTES.scimDeleteGroup, async (req, res) => {
    const result = await repo.deleteGroup(req.params.id, actorOf(req), versionOf(req.get('if-match')));
    if (!result.ok) throw refusal(result, 'Group');
    res.status(204).end();
  });

  router.use((req) => {
    throw new ScimError(404, null, `No SCIM endpoint ${req.method} ${req.path}`);
  });
  router.use(scimErrorHandler(deps.log, note));
  return router;
}
