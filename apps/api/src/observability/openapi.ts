import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  adminAccountList,
  adminAccountResponse,
  adminChangeList,
  adminCliTokenList,
  adminUserList,
  cutOffResponse,
  revokeCliTokenResponse,
  adminMappingList,
  adminMappingResponse,
  auditGrantDetail,
  auditGrantList,
  createMappingBody,
  importMappingsBody,
  importResult,
  trustPolicyResponse,
  updateMappingBody,
  upsertAccountBody,
  createGrantRequest,
  createGrantResponse,
  entitlement,
  entitlementsResponse,
  errorBody,
  grant,
  grantListResponse,
  meResponse,
  preferencesBody,
  preferencesResponse,
  needsCsrf,
  ROUTES,
  cliDeviceResponse,
  cliTokenList,
  cliTokenResponse,
  providersResponse,
  type RouteAuth,
  type RouteDef,
} from '@rolegate/contract';

type Json = Record<string, unknown>;

/** Contract schemas published as components; request bodies in their input form. */
const COMPONENTS: Record<string, { schema: z.ZodType; io: 'input' | 'output' }> = {
  Error: { schema: errorBody, io: 'output' },
  Me: { schema: meResponse, io: 'output' },
  Entitlement: { schema: entitlement, io: 'output' },
  EntitlementList: { schema: entitlementsResponse, io: 'output' },
  Grant: { schema: grant, io: 'output' },
  GrantList: { schema: grantListResponse, io: 'output' },
  CreateGrantRequest: { schema: createGrantRequest, io: 'input' },
  CreateGrantResponse: { schema: createGrantResponse, io: 'output' },
  AdminMappingList: { schema: adminMappingList, io: 'output' },
  AdminMappingResponse: { schema: adminMappingResponse, io: 'output' },
  CreateMappingBody: { schema: createMappingBody, io: 'input' },
  UpdateMappingBody: { schema: updateMappingBody, io: 'input' },
  ImportMappingsBody: { schema: importMappingsBody, io: 'input' },
  ImportResult: { schema: importResult, io: 'output' },
  TrustPolicy: { schema: trustPolicyResponse, io: 'output' },
  AdminAccountList: { schema: adminAccountList, io: 'output' },
  UpsertAccountBody: { schema: upsertAccountBody, io: 'input' },
  AdminAccountResponse: { schema: adminAccountResponse, io: 'output' },
  AdminChangeList: { schema: adminChangeList, io: 'output' },
  AdminUserList: { schema: adminUserList, io: 'output' },
  AdminCliTokenList: { schema: adminCliTokenList, io: 'output' },
  CutOffResponse: { schema: cutOffResponse, io: 'output' },
  RevokeCliTokenResponse: { schema: revokeCliTokenResponse, io: 'output' },
  AuditGrantList: { schema: auditGrantList, io: 'output' },
  AuditGrantDetail: { schema: auditGrantDetail, io: 'output' },
  PreferencesBody: { schema: preferencesBody, io: 'input' },
  Preferences: { schema: preferencesResponse, io: 'output' },
  Providers: { schema: providersResponse, io: 'output' },
  CliDeviceResponse: { schema: cliDeviceResponse, io: 'output' },
  CliTokenResponse: { schema: cliTokenResponse, io: 'output' },
  CliTokenList: { schema: cliTokenList, io: 'output' },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const CSRF = { name: 'x-csrf-token', in: 'header', required: true, schema: { type: 'string' }, description: 'From GET /api/me' };
const componentOf = new Map<unknown, { name: string; io: 'input' | 'output' }>(Object.entries(COMPONENTS).map(([name, c]) => [c.schema, { name, io: c.io }]));

/** A schema as JSON Schema: a $ref when it is a published component, else inline. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const component = componentOf.get(schema);
  if (component && component.io === io) return ref(component.name);
  const js = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  delete js.$schema;
  return js;
}

/** One OpenAPI parameter per property of a contract schema (`in`: path, query or header). */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): Json[] {
  if (!schema) return [];
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s as Json & { description?: string };
    return { name, in: where, required: where === 'path' || (js.required?.includes(name) ?? false), schema: rest, ...(description ? { description } : {}) };
  });
}

const SECURITY: Record<RouteAuth, Json[] | undefined> = {
  public: undefined,
  session: [{ session: [] }],
  'session-or-bearer': [{ session: [] }, { cliToken: [] }],
  bearer: [{ cliToken: [] }],
  admin: [{ session: [] }],
  auditor: [{ session: [] }],
  'metrics-token': [{}, { metricsToken: [] }],
  'scim-token': [{ scimToken: [] }],
  'slack-signature': [{ slackSignature: [] }],
};

/** One operation of the document, from its entry in the route table. */
function operationOf(route: RouteDef): Json {
  const req = route.request ?? {};
  const parameters = [
    ...parametersOf(req.params, 'path'),
    ...parametersOf(req.query, 'query'),
    ...(needsCsrf(route) ? [CSRF] : []),
    ...parametersOf(req.headers, 'header'),
  ];
  const requestBody = req.body
    ? { required: true, content: { [req.bodyType ?? 'application/json']: { schema: schemaOf(req.body, 'input') } } }
    : req.form
      ? { required: true, content: { 'application/x-www-form-urlencoded': { schema: schemaOf(req.form, 'input') } } }
      : undefined;
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...(r.body
          ? { content: { [r.contentType ?? 'application/json']: { schema: schemaOf(r.body, 'output') } } }
          : r.contentType
            ? { content: { [r.contentType]: {} } }
            : {}),
      },
    ]),
  );
  const security = SECURITY[route.auth];
  return {
    summary: route.summary + (route.onlyWhen ? ` (only when ${route.onlyWhen.toUpperCase()}_* is configured)` : ''),
    ...(route.auth === 'admin' || route.auth === 'auditor' ? { description: `Needs the ${route.auth} role.` } : {}),
    ...(security ? { security } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** The `paths` object: every route of the table, Express `:param` written as OpenAPI `{param}`. */
function pathsOf(routes: Record<string, RouteDef>): Record<string, Record<string, Json>> {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of Object.values(routes)) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method] = operationOf(route);
  }
  return paths;
}

/** Builds the components from the contract; shared schemas become $refs (e.g. Grant inside CreateGrantResponse). */
function components(): Record<string, Json> {
  const out: Record<string, Json> = {};
  const ids = new Map<unknown, string>(Object.entries(COMPONENTS).map(([name, c]) => [c.schema, name]));
  for (const [name, c] of Object.entries(COMPONENTS)) {
    const js = z.toJSONSchema(c.schema, {
      io: c.io,
      unrepresentable: 'any',
      override: (ctx) => {
        const id = ids.get(ctx.zodSchema);
        if (id && id !== name && c.io === COMPONENTS[id]!.io) {
          for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Json)[k];
          Object.assign(ctx.jsonSchema, ref(id as keyof typeof COMPONENTS));
        }
      },
    }) as Json;
    delete js.$schema;
    out[name] = js;
  }
  return out;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the contract's
 * route table (`ROUTES`: the same entries the routers are registered from)
 * with zod's own JSON Schema output, so that the document cannot drift from
 * the routes that exist or from what the handlers parse.
 */
export function buildOpenApiDocument(opts: { publicUrl: string; version?: string }): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rolegate',
      version: opts.version ?? '0.1.0',
      description:
        'Just-in-time AWS access broker. Errors are `{ error: { code, message } }` with stable codes; on /scim/v2 they are SCIM error bodies (RFC 7644 3.12).',
    },
    servers: [{ url: opts.publicUrl }],
    components: {
      schemas: components(),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'rolegate.sid', description: '`__Host-rolegate.sid` when PUBLIC_URL is https' },
        cliToken: { type: 'http', scheme: 'bearer', description: 'A CLI token (`rolegate login`): entitlements and grants only' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'Only when METRICS_TOKEN is set' },
        scimToken: { type: 'http', scheme: 'bearer', description: 'A SCIM token (made on the provisioning screen, SCIM_ENABLED): /scim/v2 only' },
        slackSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Slack-Signature',
          description: 'v0= HMAC-SHA256 of v0:{X-Slack-Request-Timestamp}:{raw body} under SLACK_SIGNING_SECRET',
        },
      },
    },
    paths: pathsOf(ROUTES),
  };
}

/** `GET /openapi.json`, built once. */
export function openApiHandler(opts: { publicUrl: string }): RequestHandler {
  const body = JSON.stringify(buildOpenApiDocument(opts));
  return (_req, res) => {
    res.type('application/json').set('Cache-Control', 'no-cache').send(body);
  };
}
