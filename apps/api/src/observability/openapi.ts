import type { RequestHandler } from 'express';
import { ACCOUNT_ID_PATTERN } from '@rolegate/aws-names';
import { z } from 'zod';
import {
  adminAccountList,
  adminAccountResponse,
  adminChangeList,
  adminChangesQuery,
  adminCliTokenList,
  adminUserList,
  adminUsersQuery,
  cutOffResponse,
  revokeCliTokenResponse,
  adminMappingList,
  adminMappingResponse,
  auditExportQuery,
  auditGrantDetail,
  auditGrantList,
  auditGrantsQuery,
  createMappingBody,
  importMappingsBody,
  importMappingsQuery,
  importResult,
  trustPolicyResponse,
  updateMappingBody,
  upsertAccountBody,
  consoleLinkQuery,
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
};

const ref = (name: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ref('Error')) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const CSRF = { name: 'x-csrf-token', in: 'header', required: true, schema: { type: 'string' }, description: 'From GET /api/me' };

/** Query parameters of a contract schema, one OpenAPI parameter per property. */
function queryParameters(schema: z.ZodType): Json[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: s }));
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
 * The OpenAPI 3.1 document of the HTTP API, generated from the zod contract
 * (`@rolegate/contract`) with zod's own JSON Schema output, so that the
 * document cannot drift from what the handlers actually parse.
 */
export function buildOpenApiDocument(opts: { publicUrl: string; version?: string }): Json {
  const signedIn = { security: [{ session: [] }] };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rolegate',
      version: opts.version ?? '0.1.0',
      description: 'Just-in-time AWS access broker. Errors are `{ error: { code, message } }` with stable codes.',
    },
    servers: [{ url: opts.publicUrl }],
    components: {
      schemas: components(),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'rolegate.sid', description: '`__Host-rolegate.sid` when PUBLIC_URL is https' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'Only when METRICS_TOKEN is set' },
      },
    },
    paths: {
      '/auth/providers': { get: { summary: 'Configured sign-in providers', responses: { 200: { description: 'Providers' } } } },
      '/auth/login': {
        get: {
          summary: 'Start a sign-in at the identity provider',
          parameters: [
            { name: 'provider', in: 'query', required: false, schema: { type: 'string', enum: ['oidc', 'saml'] } },
            { name: 'returnTo', in: 'query', required: false, schema: { type: 'string' }, description: 'Same-origin path; anything else falls back to /' },
          ],
          responses: { 302: { description: 'Redirect to the IdP' }, 400: error('Unknown provider') },
        },
      },
      '/auth/oidc/callback': {
        get: { summary: 'OIDC redirect target (code + state)', responses: { 303: { description: 'Signed in; redirect to returnTo' }, 400: error('Sign-in failed') } },
      },
      '/auth/logout': {
        post: { summary: 'Destroy the session server-side', ...signedIn, parameters: [CSRF], responses: { 204: { description: 'Signed out' }, 403: error('CSRF token missing or invalid') } },
      },
      '/api/me': {
        get: { summary: 'The signed-in user, app roles and CSRF token', ...signedIn, responses: { 200: { description: 'Me', ...json(ref('Me')) }, 401: error('Signed out') } },
      },
      '/api/me/preferences': {
        get: { summary: "The caller's favourites, console region and recently used roles", ...signedIn, responses: { 200: { description: 'Preferences', ...json(ref('Preferences')) }, 401: error('Signed out') } },
        put: { summary: "Save the caller's favourites and console region", ...signedIn, parameters: [CSRF], requestBody: { required: true, ...json(ref('PreferencesBody')) }, responses: { 200: { description: 'Preferences', ...json(ref('Preferences')) }, 400: error('Invalid preferences') } },
      },
      '/api/entitlements': {
        get: { summary: 'Roles the caller may use', ...signedIn, responses: { 200: { description: 'Entitlements', ...json(ref('EntitlementList')) }, 401: error('Signed out') } },
      },
      '/api/grants': {
        get: {
          summary: "The caller's own grants, newest first",
          ...signedIn,
          parameters: [
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
            { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'A page of grants', ...json(ref('GrantList')) }, 401: error('Signed out') },
        },
        post: {
          summary: 'Request a console sign-in URL or CLI credentials',
          ...signedIn,
          parameters: [
            CSRF,
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: 'Same key and body from the same person within 10 minutes: no second grant (409 IDEMPOTENT_REPLAY names the first)',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: { required: true, ...json(ref('CreateGrantRequest')) },
          responses: {
            201: { description: 'Issued (never cached)', ...json(ref('CreateGrantResponse')) },
            400: error('Bad input; nothing recorded'),
            401: error('Signed out'),
            403: error('Not entitled (recorded as denied) or CSRF'),
            409: error('IDEMPOTENT_REPLAY (details.grantId: the grant this key already made; credentials are given once) or IDEMPOTENCY_KEY_IN_USE'),
            422: error('IDEMPOTENCY_KEY_REUSED: the key was used with another body'),
            429: error('Rate limited'),
            502: error('STS or the federation endpoint failed (recorded as failed)'),
            503: error('Database unavailable; nothing sent to AWS'),
          },
        },
      },
      '/console/{accountId}/{roleName}': {
        get: {
          summary: 'Deep link into the AWS console',
          ...signedIn,
          parameters: [
            { name: 'accountId', in: 'path', required: true, schema: { type: 'string', pattern: ACCOUNT_ID_PATTERN.source } },
            { name: 'roleName', in: 'path', required: true, schema: { type: 'string' } },
            ...queryParameters(consoleLinkQuery),
          ],
          responses: { 302: { description: 'Into the console (or to sign-in first)' }, '4XX': { description: 'HTML error page' }, '5XX': { description: 'HTML error page' } },
        },
      },
      '/auth/saml/metadata': { get: { summary: 'SAML service provider metadata (only when SAML_* is configured)', responses: { 200: { description: 'XML', content: { 'application/samlmetadata+xml': {} } } } } },
      '/auth/saml/acs': {
        post: {
          summary: 'SAML assertion consumer service, HTTP-POST binding (only when SAML_* is configured)',
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { SAMLResponse: { type: 'string' }, RelayState: { type: 'string' } }, required: ['SAMLResponse'] } } } },
          responses: { 303: { description: 'Signed in; redirect to returnTo' }, 400: error('Sign-in failed'), 429: error('Rate limited') },
        },
      },
      '/api/admin/mappings': {
        get: { summary: 'All role mappings (admin)', ...signedIn, responses: { 200: { description: 'Mappings', ...json(ref('AdminMappingList')) }, 403: error('Not an admin') } },
        post: { summary: 'Create a mapping (admin)', ...signedIn, parameters: [CSRF], requestBody: { required: true, ...json(ref('CreateMappingBody')) }, responses: { 201: { description: 'Created', ...json(ref('AdminMappingResponse')) }, 400: error('Invalid mapping'), 403: error('Not an admin') } },
      },
      '/api/admin/mappings/{id}': {
        put: { summary: 'Update a mapping (admin)', ...signedIn, parameters: [idParam, CSRF], requestBody: { required: true, ...json(ref('UpdateMappingBody')) }, responses: { 200: { description: 'Updated', ...json(ref('AdminMappingResponse')) }, 400: error('Invalid mapping'), 404: error('No such mapping') } },
        delete: { summary: 'Delete a mapping (admin)', ...signedIn, parameters: [idParam, CSRF], responses: { 204: { description: 'Deleted' }, 404: error('No such mapping') } },
      },
      '/api/admin/mappings/{id}/trust-policy': {
        get: { summary: 'The trust policy the target role needs', ...signedIn, parameters: [idParam], responses: { 200: { description: 'Trust policy', ...json(ref('TrustPolicy')) }, 404: error('No such mapping') } },
      },
      '/api/admin/mappings/export': { get: { summary: 'Mappings as YAML (MAPPINGS_FILE format)', ...signedIn, responses: { 200: { description: 'YAML', content: { 'application/yaml': {} } } } } },
      '/api/admin/mappings/import': {
        post: { summary: 'Import mappings; dryRun=1 returns the diff only', ...signedIn, parameters: [...queryParameters(importMappingsQuery), CSRF], requestBody: { required: true, ...json(ref('ImportMappingsBody')) }, responses: { 200: { description: 'Diff / result', ...json(ref('ImportResult')) }, 400: error('Invalid document') } },
      },
      '/api/admin/accounts': { get: { summary: 'AWS accounts (admin)', ...signedIn, responses: { 200: { description: 'Accounts', ...json(ref('AdminAccountList')) } } } },
      '/api/admin/accounts/{id}': {
        put: { summary: 'Create or rename an account (admin)', ...signedIn, parameters: [idParam, CSRF], requestBody: { required: true, ...json(ref('UpsertAccountBody')) }, responses: { 200: { description: 'Account', ...json(ref('AdminAccountResponse')) }, 400: error('Invalid account') } },
        delete: { summary: 'Delete an account no mapping uses (admin)', ...signedIn, parameters: [idParam, CSRF], responses: { 204: { description: 'Deleted' }, 404: error('No such account'), 409: error('ACCOUNT_IN_USE: mappings still use it') } },
      },
      '/api/admin/changes': { get: { summary: 'History of admin changes', ...signedIn, parameters: queryParameters(adminChangesQuery), responses: { 200: { description: 'Changes', ...json(ref('AdminChangeList')) } } } },
      '/api/admin/users': { get: { summary: 'Find people by email or name (admin)', ...signedIn, parameters: queryParameters(adminUsersQuery), responses: { 200: { description: 'People', ...json(ref('AdminUserList')) }, 400: error('Missing q') } } },
      '/api/admin/users/{id}/cli-tokens': { get: { summary: "A person's working CLI tokens (admin)", ...signedIn, parameters: [idParam], responses: { 200: { description: 'Tokens', ...json(ref('AdminCliTokenList')) }, 404: error('No such person') } } },
      '/api/admin/users/{id}/cut-off': {
        post: { summary: 'End all browser sessions and revoke all CLI tokens of a person (admin); AWS credentials already issued run until they expire', ...signedIn, parameters: [idParam, CSRF], responses: { 202: { description: 'Counts of what was revoked', ...json(ref('CutOffResponse')) }, 404: error('No such person') } },
      },
      '/api/admin/cli-tokens/{id}/revoke': {
        post: { summary: 'Revoke one CLI token of anyone (admin)', ...signedIn, parameters: [idParam, CSRF], responses: { 200: { description: 'Revoked', ...json(ref('RevokeCliTokenResponse')) }, 404: error('No such active token') } },
      },
      '/api/audit/grants': { get: { summary: 'Search grant history (auditor)', ...signedIn, parameters: queryParameters(auditGrantsQuery), responses: { 200: { description: 'A page of grants', ...json(ref('AuditGrantList')) }, 400: error('Bad filter'), 403: error('Not an auditor') } } },
      '/api/audit/grants/export': {
        get: { summary: 'Streamed export (CSV or NDJSON), same filters', ...signedIn, parameters: queryParameters(auditExportQuery), responses: { 200: { description: 'Stream', content: { 'text/csv': {}, 'application/x-ndjson': {} } }, 403: error('Not an auditor') } },
      },
      '/api/audit/grants/{id}': { get: { summary: 'One grant (auditor)', ...signedIn, parameters: [idParam], responses: { 200: { description: 'Grant', ...json(ref('AuditGrantDetail')) }, 404: error('No such grant') } } },
      '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Alive' } } } },
      '/readyz': { get: { summary: 'Readiness: 503 while the database is unreachable', responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } } } },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          security: [{}, { metricsToken: [] }],
          responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, 401: error('METRICS_TOKEN set and not presented') },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': {} } } } } },
    },
  };
}

/** `GET /openapi.json`, built once. */
export function openApiHandler(opts: { publicUrl: string }): RequestHandler {
  const body = JSON.stringify(buildOpenApiDocument(opts));
  return (_req, res) => {
    res.type('application/json').set('Cache-Control', 'no-cache').send(body);
  };
}
