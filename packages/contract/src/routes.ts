import { z } from 'zod';
import {
  accountIdSchema,
  adminAccountList,
  adminAccountResponse,
  adminChangeList,
  adminChangesQuery,
  adminMappingList,
  adminMappingResponse,
  createMappingBody,
  importMappingsBody,
  importMappingsQuery,
  importResult,
  mappingCheck,
  mappingCheckList,
  trustPolicyResponse,
  updateMappingBody,
  upsertAccountBody,
} from './admin.js';
import { adminCliTokenList, adminUserList, adminUsersQuery, cutOffResponse, revokeCliTokenResponse } from './admin-users.js';
import { auditExportQuery, auditGrantDetail, auditGrantList, auditGrantsQuery, myGrantsQuery } from './audit.js';
import {
  cliDeviceCodeForm,
  cliDeviceDecisionForm,
  cliDeviceRequest,
  cliDeviceResponse,
  cliLoopbackQuery,
  cliTokenList,
  cliTokenRequest,
  cliTokenResponse,
  idParams,
} from './cli.js';
import { entitlementsResponse } from './entitlements.js';
import { errorBody } from './errors.js';
import { consoleLinkQuery, createGrantRequest, createGrantResponse, grantListResponse } from './grants.js';
import { meResponse, preferencesBody, preferencesResponse } from './me.js';
import {
  createdScimToken,
  createScimTokenBody,
  revokedScimToken,
  scimChangeList,
  scimErrorBody,
  scimGroupList,
  scimIdParams,
  scimListQuery,
  scimListResponse,
  scimPatchBody,
  scimResource,
  scimStatus,
  scimTokenList,
  scimUserList,
} from './scim.js';
import {
  closeReviewBody,
  createRequestBody,
  decisionBody,
  extendRequestBody,
  outboxList,
  requestList,
  requestListQuery,
  requestResponse,
  reviewList,
  reviewQuery,
} from './requests.js';
import { slackInteractionForm, slackInteractionResponse } from './slack.js';
import { grantStatusResponse, revocationList, revocationListQuery, revokeGrantBody, revokeGrantResponse } from './revocations.js';
import { livenessResponse, loginQuery, providersResponse, readinessResponse, samlAcsForm } from './service.js';

/**
 * Who may call a route:
 * - `public`: anyone (sign-in steps, health, the CLI's code redemption);
 * - `session`: a signed-in browser session;
 * - `session-or-bearer`: a session, or a CLI bearer token (entitlements and grants only);
 * - `bearer`: the CLI token presented as `Authorization: Bearer` (its own logout);
 * - `admin` / `auditor`: a session whose groups give that app role;
 * - `metrics-token`: public unless METRICS_TOKEN is set;
 * - `scim-token`: a SCIM bearer token (made on the provisioning screen), for the IdP on /scim/v2 only;
 * - `slack-signature`: Slack's request signature (SLACK_SIGNING_SECRET) over the raw body, within 5 minutes, never replayed.
 * State-changing calls with a session also need the CSRF token (see `needsCsrf`).
 */
export type RouteAuth = 'public' | 'session' | 'session-or-bearer' | 'bearer' | 'admin' | 'auditor' | 'metrics-token' | 'scim-token' | 'slack-signature';

export interface RouteResponse {
  description: string;
  /** The JSON body (zod); absent for redirects, 204s and non-JSON bodies. */
  body?: z.ZodType;
  /** A non-JSON answer (HTML page, CSV, YAML, XML, Prometheus text), or the media type of `body` when not application/json (SCIM). */
  contentType?: string;
}

export interface RouteDef {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Full path in Express syntax (`/api/admin/mappings/:id`). */
  path: string;
  summary: string;
  auth: RouteAuth;
  /** Mounted only when this is configured (the route-table test runs with all of them). */
  onlyWhen?: 'oidc' | 'saml' | 'scim';
  request?: {
    params?: z.ZodType;
    query?: z.ZodType;
    headers?: z.ZodType;
    /** JSON body. */
    body?: z.ZodType;
    /** Media type of `body` when not application/json (SCIM: application/scim+json). */
    bodyType?: string;
    /** application/x-www-form-urlencoded body (browser forms, SAML POST binding). */
    form?: z.ZodType;
  };
  responses: Record<string, RouteResponse>;
}

const error = (description: string): RouteResponse => ({ description, body: errorBody });
const html = (description: string): RouteResponse => ({ description, contentType: 'text/html' });
const redirect = (description: string): RouteResponse => ({ description });
const signedOut = error('Signed out');
const SCIM_JSON = 'application/scim+json';
const scimError = (description: string): RouteResponse => ({ description, body: scimErrorBody, contentType: SCIM_JSON });
const scimOk = (description: string, body: z.ZodType): RouteResponse => ({ description, body, contentType: SCIM_JSON });
/** What every /scim/v2 route may answer besides its own outcome. */
const scimRefusals = { 401: scimError('No valid SCIM bearer token'), 429: scimError('Rate limited') };
const scimWrite = (body: z.ZodType) => ({ params: scimIdParams, body, bodyType: SCIM_JSON });
const noContent = { description: 'Done' } satisfies RouteResponse;
const mappingParams = idParams;
const accountParams = z.object({ id: accountIdSchema });
const consoleParams = z.object({ accountId: accountIdSchema, roleName: z.string() });
const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Same key and body from the same person within 10 minutes: no second grant (409 IDEMPOTENT_REPLAY names the first)'),
});

/**
 * Every HTTP route of Rolegate, declared once. The api's routers take their
 * method and path from here (`on(router, ROUTES.x, …)`), `/openapi.json` is
 * generated from it, and a test walks the mounted Express app to check that
 * the two agree both ways. The web app and the CLI type their calls with the
 * schemas named here.
 */
export const ROUTES = {
  // --- sign-in ---
  providers: {
    method: 'get',
    path: '/auth/providers',
    summary: 'Configured sign-in providers',
    auth: 'public',
    responses: { 200: { description: 'Providers', body: providersResponse } },
  },
  login: {
    method: 'get',
    path: '/auth/login',
    summary: 'Start a sign-in at the identity provider (or choose one when both are configured)',
    auth: 'public',
    request: { query: loginQuery },
    responses: { 200: html('Provider chooser'), 302: redirect('Redirect to the IdP'), 400: error('Unknown provider') },
  },
  oidcCallback: {
    method: 'get',
    path: '/auth/oidc/callback',
    summary: 'OIDC redirect target (code + state)',
    auth: 'public',
    responses: { 303: redirect('Signed in; redirect to returnTo'), 400: error('Sign-in failed') },
  },
  logout: {
    method: 'post',
    path: '/auth/logout',
    summary: 'Destroy the session server-side',
    auth: 'session',
    responses: { 204: { description: 'Signed out' }, 303: redirect('Signed out (HTML form)'), 403: error('CSRF token missing or invalid') },
  },
  samlMetadata: {
    method: 'get',
    path: '/auth/saml/metadata',
    summary: 'SAML service provider metadata',
    auth: 'public',
    onlyWhen: 'saml',
    responses: { 200: { description: 'XML', contentType: 'application/samlmetadata+xml' } },
  },
  slackInteractions: {
    method: 'post',
    path: '/api/slack/interactions',
    summary: "Slack's interactive requests (buttons of request messages); approving here only with SLACK_APPROVE_IN_SLACK",
    auth: 'slack-signature',
    request: { form: slackInteractionForm },
    responses: {
      200: { description: 'Handled', body: slackInteractionResponse },
      400: error('Not a block action Rolegate knows'),
      401: error('Bad or missing signature, timestamp outside 5 minutes, or a replay'),
      403: error('Approving in Slack is off, the Slack user is not a Rolegate person, or the approval rules refuse'),
      404: error('Slack is not configured'),
    },
  },
  samlAcs: {
    method: 'post',
    path: '/auth/saml/acs',
    summary: 'SAML assertion consumer service, HTTP-POST binding',
    auth: 'public',
    onlyWhen: 'saml',
    request: { form: samlAcsForm },
    responses: { 303: redirect('Signed in; redirect to returnTo'), 400: error('Sign-in failed'), 429: error('Rate limited') },
  },

  // --- the person ---
  me: {
    method: 'get',
    path: '/api/me',
    summary: 'The signed-in user, app roles and CSRF token',
    auth: 'session',
    responses: { 200: { description: 'Me', body: meResponse }, 401: signedOut },
  },
  getPreferences: {
    method: 'get',
    path: '/api/me/preferences',
    summary: "The caller's favourites, console region and recently used roles",
    auth: 'session',
    responses: { 200: { description: 'Preferences', body: preferencesResponse }, 401: signedOut },
  },
  putPreferences: {
    method: 'put',
    path: '/api/me/preferences',
    summary: "Save the caller's favourites and console region",
    auth: 'session',
    request: { body: preferencesBody },
    responses: { 200: { description: 'Preferences', body: preferencesResponse }, 400: error('Invalid preferences') },
  },
  entitlements: {
    method: 'get',
    path: '/api/entitlements',
    summary: 'Roles the caller may use',
    auth: 'session-or-bearer',
    responses: { 200: { description: 'Entitlements', body: entitlementsResponse }, 401: signedOut },
  },
  listGrants: {
    method: 'get',
    path: '/api/grants',
    summary: "The caller's own grants, newest first",
    auth: 'session-or-bearer',
    request: { query: myGrantsQuery },
    responses: { 200: { description: 'A page of grants', body: grantListResponse }, 400: error('Bad filter'), 401: signedOut },
  },
  revokeGrant: {
    method: 'post',
    path: '/api/grants/:id/revoke',
    summary: "Revoke a grant's live AWS sessions (its person, an approver of its mapping, or an admin)",
    auth: 'session',
    request: { params: idParams, body: revokeGrantBody },
    responses: {
      202: { description: 'Written ahead; the revocation worker applies it at AWS (a repeat answers the first revocation)', body: revokeGrantResponse },
      400: error('Bad input'),
      401: signedOut,
      403: error('Not the grant’s person, an approver of its mapping or an admin; or CSRF'),
      404: error('No such grant'),
      409: error('GRANT_NOT_REVOCABLE: denied, or its session has already ended'),
    },
  },
  grantStatus: {
    method: 'get',
    path: '/api/grants/:id/status',
    summary: 'Whether a grant’s credentials may still be used (the CLI asks before handing out cached credentials)',
    auth: 'session-or-bearer',
    request: { params: idParams },
    responses: { 200: { description: 'Validity (never cached by clients)', body: grantStatusResponse }, 401: signedOut, 404: error('No such grant of yours') },
  },
  createGrant: {
    method: 'post',
    path: '/api/grants',
    summary: 'Request a console sign-in URL or CLI credentials',
    auth: 'session-or-bearer',
    request: { headers: idempotencyHeaders, body: createGrantRequest },
    responses: {
      201: { description: 'Issued (never cached)', body: createGrantResponse },
      400: error('Bad input; nothing recorded'),
      401: signedOut,
      403: error('Not entitled (recorded as denied) or CSRF'),
      409: error('IDEMPOTENT_REPLAY (details.grantId: the grant this key already made; credentials are given once) or IDEMPOTENCY_KEY_IN_USE'),
      422: error('IDEMPOTENCY_KEY_REUSED: the key was used with another body'),
      429: error('Rate limited'),
      502: error('STS or the federation endpoint failed (recorded as failed)'),
      503: error('Database unavailable; nothing sent to AWS'),
    },
  },
  consoleLink: {
    method: 'get',
    path: '/console/:accountId/:roleName',
    summary: 'Deep link into the AWS console',
    auth: 'session',
    request: { params: consoleParams, query: consoleLinkQuery },
    responses: {
      302: redirect('Into the console (or to sign-in first)'),
      200: html('Confirmation page when another site started the link'),
      '4XX': html('HTML error page'),
      '5XX': html('HTML error page'),
    },
  },
  consoleLinkConfirm: {
    method: 'post',
    path: '/console/:accountId/:roleName',
    summary: 'Form: confirm a console deep link that another site started (the page of GET)',
    auth: 'session',
    request: { params: consoleParams, form: z.object({ duration: z.string().optional(), destination: z.string().optional() }) },
    responses: { 303: redirect('Into the console (or to sign-in first)'), '4XX': html('HTML error page'), '5XX': html('HTML error page') },
  },

  // --- access requests and approvals (docs/approvals.md) ---
  createRequest: {
    method: 'post',
    path: '/api/requests',
    summary: 'Ask for an approval role (break-glass: approved at once, review opened)',
    auth: 'session-or-bearer',
    request: { body: createRequestBody },
    responses: {
      201: { description: 'The request', body: requestResponse },
      400: error('Bad input (INVALID_DURATION, VALIDATION_FAILED)'),
      403: error('NOT_ENTITLED, BREAK_GLASS_NOT_ALLOWED'),
      409: error('NO_APPROVAL_NEEDED: the role is instant'),
    },
  },
  listRequests: {
    method: 'get',
    path: '/api/requests',
    summary: "The caller's requests (scope=mine) or those the caller approves (scope=approver), newest first",
    auth: 'session-or-bearer',
    request: { query: requestListQuery },
    responses: { 200: { description: 'A page of requests', body: requestList }, 400: error('Bad filter'), 401: signedOut },
  },
  getRequest: {
    method: 'get',
    path: '/api/requests/:id',
    summary: 'One request (its requester, its approvers, admins, auditors)',
    auth: 'session-or-bearer',
    request: { params: idParams },
    responses: { 200: { description: 'The request', body: requestResponse }, 404: error('No such request visible to the caller') },
  },
  approveRequest: {
    method: 'post',
    path: '/api/requests/:id/approve',
    summary: 'Approve (needs a fresh IdP sign-in; never the requester; one person counts once)',
    auth: 'session',
    request: { params: idParams, body: decisionBody },
    responses: {
      200: { description: 'The request after the approval', body: requestResponse },
      403: error('SELF_APPROVAL, NOT_APPROVER, STEP_UP_REQUIRED (details.loginUrl)'),
      404: error('No such request'),
      409: error('ALREADY_DECIDED, ALREADY_APPROVED_BY_YOU'),
    },
  },
  denyRequest: {
    method: 'post',
    path: '/api/requests/:id/deny',
    summary: 'Deny (needs a fresh IdP sign-in)',
    auth: 'session',
    request: { params: idParams, body: decisionBody },
    responses: {
      200: { description: 'The denied request', body: requestResponse },
      403: error('SELF_APPROVAL, NOT_APPROVER, STEP_UP_REQUIRED (details.loginUrl)'),
      404: error('No such request'),
      409: error('ALREADY_DECIDED'),
    },
  },
  cancelRequest: {
    method: 'post',
    path: '/api/requests/:id/cancel',
    summary: 'Cancel a pending request (its requester)',
    auth: 'session-or-bearer',
    request: { params: idParams },
    responses: {
      200: { description: 'The cancelled request', body: requestResponse },
      403: error('Not the requester'),
      404: error('No such request'),
      409: error('ALREADY_DECIDED'),
    },
  },
  endRequest: {
    method: 'post',
    path: '/api/requests/:id/end',
    summary: 'End an access window early (requester, an approver of the role, an admin); no new sessions are issued',
    auth: 'session-or-bearer',
    request: { params: idParams },
    responses: {
      200: { description: 'The ended request', body: requestResponse },
      403: error('FORBIDDEN'),
      404: error('No such request'),
      409: error('REQUEST_NOT_ACTIVE'),
    },
  },
  extendRequest: {
    method: 'post',
    path: '/api/requests/:id/extend',
    summary: 'Ask for more time on an open window: a linked request, decided by the same policy',
    auth: 'session-or-bearer',
    request: { params: idParams, body: extendRequestBody },
    responses: {
      201: { description: 'The extension request', body: requestResponse },
      400: error('Bad input'),
      403: error('FORBIDDEN'),
      404: error('No such request'),
      409: error('REQUEST_NOT_ACTIVE'),
    },
  },
  adminReviews: {
    method: 'get',
    path: '/api/admin/reviews',
    summary: 'Break-glass review queue (admin)',
    auth: 'admin',
    request: { query: reviewQuery },
    responses: { 200: { description: 'Break-glass requests', body: reviewList }, 403: error('Not an admin') },
  },
  adminCloseReview: {
    method: 'post',
    path: '/api/admin/reviews/:id/close',
    summary: 'Close a break-glass review with a note (admin)',
    auth: 'admin',
    request: { params: idParams, body: closeReviewBody },
    responses: { 200: { description: 'The reviewed request', body: requestResponse }, 404: error('No such break-glass request'), 409: error('REVIEW_CLOSED') },
  },

  adminOutbox: {
    method: 'get',
    path: '/api/admin/outbox',
    summary: 'The newest notifications of the outbox and their delivery state (admin)',
    auth: 'admin',
    responses: { 200: { description: 'Notifications', body: outboxList }, 403: error('Not an admin') },
  },

  // --- CLI sign-in: JSON for the command, HTML pages for the approving person ---
  cliDeviceStart: {
    method: 'post',
    path: '/api/cli/device',
    summary: 'Start a device sign-in for the CLI (RFC 8628)',
    auth: 'public',
    request: { body: cliDeviceRequest },
    responses: {
      200: { description: 'Device and user codes (never cached)', body: cliDeviceResponse },
      400: error('Invalid request'),
      429: error('Rate limited'),
    },
  },
  cliToken: {
    method: 'post',
    path: '/api/cli/token',
    summary: 'Redeem a loopback code (with its PKCE verifier) or poll a device code for a CLI token',
    auth: 'public',
    request: { body: cliTokenRequest },
    responses: {
      200: { description: 'The token, shown once (never cached)', body: cliTokenResponse },
      400: error('LOGIN_FAILED, or for a device code AUTHORIZATION_PENDING / SLOW_DOWN / EXPIRED_TOKEN / ACCESS_DENIED'),
      429: error('Rate limited'),
    },
  },
  cliLogout: {
    method: 'post',
    path: '/api/cli/logout',
    summary: 'Revoke the CLI token presented as the bearer token',
    auth: 'bearer',
    responses: { 204: noContent, 401: error('No valid bearer token') },
  },
  cliTokens: {
    method: 'get',
    path: '/api/cli/tokens',
    summary: "The caller's own working CLI tokens",
    auth: 'session',
    responses: { 200: { description: 'Tokens', body: cliTokenList }, 401: signedOut },
  },
  cliTokenRevoke: {
    method: 'delete',
    path: '/api/cli/tokens/:id',
    summary: 'Revoke one of the caller’s CLI tokens',
    auth: 'session',
    request: { params: idParams },
    responses: { 204: noContent, 401: signedOut, 404: error('No such token of the caller') },
  },
  cliLoginPage: {
    method: 'get',
    path: '/cli/login',
    summary: 'Page: approve a CLI sign-in that waits on this machine (loopback); needs a fresh sign-in',
    auth: 'session',
    request: { query: cliLoopbackQuery },
    responses: { 200: html('Approval page'), 302: redirect('To sign-in (or step-up) first'), '4XX': html('HTML error page') },
  },
  cliLoginApprove: {
    method: 'post',
    path: '/cli/login',
    summary: 'Form: approve the loopback sign-in; redirects to the CLI with a one-time code',
    auth: 'session',
    request: { form: cliLoopbackQuery },
    responses: { 302: redirect('To http://127.0.0.1:<port>/callback'), '4XX': html('HTML error page') },
  },
  cliDevicePage: {
    method: 'get',
    path: '/cli/device',
    summary: 'Page: type the code a CLI shows; needs a fresh sign-in',
    auth: 'session',
    responses: { 200: html('Code form'), 302: redirect('To sign-in (or step-up) first') },
  },
  cliDeviceLookup: {
    method: 'post',
    path: '/cli/device',
    summary: 'Form: the typed code → what it would approve (nothing decided yet)',
    auth: 'session',
    request: { form: cliDeviceCodeForm },
    responses: { 200: html('Confirmation page'), 400: html('Unknown code'), 429: error('Rate limited') },
  },
  cliDeviceDecide: {
    method: 'post',
    path: '/cli/device/decide',
    summary: 'Form: approve or deny the device sign-in',
    auth: 'session',
    request: { form: cliDeviceDecisionForm },
    responses: { 200: html('Done page'), '4XX': html('HTML error page') },
  },

  // --- admin ---
  adminMappings: {
    method: 'get',
    path: '/api/admin/mappings',
    summary: 'All role mappings (admin)',
    auth: 'admin',
    responses: { 200: { description: 'Mappings', body: adminMappingList }, 403: error('Not an admin') },
  },
  adminCreateMapping: {
    method: 'post',
    path: '/api/admin/mappings',
    summary: 'Create a mapping (admin)',
    auth: 'admin',
    request: { body: createMappingBody },
    responses: { 201: { description: 'Created', body: adminMappingResponse }, 400: error('Invalid mapping'), 403: error('Not an admin') },
  },
  adminExportMappings: {
    method: 'get',
    path: '/api/admin/mappings/export',
    summary: 'Mappings as YAML (MAPPINGS_FILE format)',
    auth: 'admin',
    responses: { 200: { description: 'YAML', contentType: 'application/yaml' } },
  },
  adminImportMappings: {
    method: 'post',
    path: '/api/admin/mappings/import',
    summary: 'Import mappings; dryRun=1 returns the diff only',
    auth: 'admin',
    request: { query: importMappingsQuery, body: importMappingsBody },
    responses: { 200: { description: 'Diff / result', body: importResult }, 400: error('Invalid document') },
  },
  adminMappingChecks: {
    method: 'get',
    path: '/api/admin/mappings/checks',
    summary: "Latest trust and set-up check of every mapping's role (admin)",
    auth: 'admin',
    responses: { 200: { description: 'One check per mapping', body: mappingCheckList }, 403: error('Not an admin') },
  },
  adminCheckMapping: {
    method: 'post',
    path: '/api/admin/mappings/:id/check',
    summary: "Check a mapping's role now through IAM (trust policy, MaxSessionDuration, revocation policy) and store the result",
    auth: 'admin',
    request: { params: mappingParams },
    responses: {
      200: { description: 'The check (status cannot_check when IAM cannot be reached)', body: mappingCheck },
      404: error('No such mapping'),
      403: error('Not an admin'),
    },
  },
  adminTrustPolicy: {
    method: 'get',
    path: '/api/admin/mappings/:id/trust-policy',
    summary: 'The trust policy the target role needs',
    auth: 'admin',
    request: { params: mappingParams },
    responses: { 200: { description: 'Trust policy', body: trustPolicyResponse }, 404: error('No such mapping') },
  },
  adminUpdateMapping: {
    method: 'put',
    path: '/api/admin/mappings/:id',
    summary: 'Update a mapping (admin)',
    auth: 'admin',
    request: { params: mappingParams, body: updateMappingBody },
    responses: { 200: { description: 'Updated', body: adminMappingResponse }, 400: error('Invalid mapping'), 404: error('No such mapping') },
  },
  adminDeleteMapping: {
    method: 'delete',
    path: '/api/admin/mappings/:id',
    summary: 'Delete a mapping (admin)',
    auth: 'admin',
    request: { params: mappingParams },
    responses: { 204: { description: 'Deleted' }, 404: error('No such mapping') },
  },
  adminAccounts: {
    method: 'get',
    path: '/api/admin/accounts',
    summary: 'AWS accounts (admin)',
    auth: 'admin',
    responses: { 200: { description: 'Accounts', body: adminAccountList } },
  },
  adminUpsertAccount: {
    method: 'put',
    path: '/api/admin/accounts/:id',
    summary: 'Create or rename an account (admin)',
    auth: 'admin',
    request: { params: accountParams, body: upsertAccountBody },
    responses: { 200: { description: 'Account', body: adminAccountResponse }, 400: error('Invalid account') },
  },
  adminDeleteAccount: {
    method: 'delete',
    path: '/api/admin/accounts/:id',
    summary: 'Delete an account no mapping uses (admin)',
    auth: 'admin',
    request: { params: accountParams },
    responses: { 204: { description: 'Deleted' }, 404: error('No such account'), 409: error('ACCOUNT_IN_USE: mappings still use it') },
  },
  adminChanges: {
    method: 'get',
    path: '/api/admin/changes',
    summary: 'History of admin changes',
    auth: 'admin',
    request: { query: adminChangesQuery },
    responses: { 200: { description: 'Changes', body: adminChangeList } },
  },
  adminUsers: {
    method: 'get',
    path: '/api/admin/users',
    summary: 'Find people by email or name (admin)',
    auth: 'admin',
    request: { query: adminUsersQuery },
    responses: { 200: { description: 'People', body: adminUserList }, 400: error('Missing q') },
  },
  adminUserCliTokens: {
    method: 'get',
    path: '/api/admin/users/:id/cli-tokens',
    summary: "A person's working CLI tokens (admin)",
    auth: 'admin',
    request: { params: idParams },
    responses: { 200: { description: 'Tokens', body: adminCliTokenList }, 404: error('No such person') },
  },
  adminCutOff: {
    method: 'post',
    path: '/api/admin/users/:id/cut-off',
    summary:
      'End all browser sessions, revoke all CLI tokens and revoke at AWS every session of a person issued before now (admin); new grants need a fresh sign-in',
    auth: 'admin',
    request: { params: idParams },
    responses: {
      202: { description: 'Counts of what was revoked and the AWS revocation (applied by the worker)', body: cutOffResponse },
      404: error('No such person'),
    },
  },
  adminRevocations: {
    method: 'get',
    path: '/api/admin/revocations',
    summary: 'Revocations with their state at AWS, newest first (admin)',
    auth: 'admin',
    request: { query: revocationListQuery },
    responses: { 200: { description: 'Revocations', body: revocationList }, 400: error('Bad filter') },
  },
  auditRevocations: {
    method: 'get',
    path: '/api/audit/revocations',
    summary: 'Revocations with their state at AWS, newest first (auditor)',
    auth: 'auditor',
    request: { query: revocationListQuery },
    responses: { 200: { description: 'Revocations', body: revocationList }, 400: error('Bad filter') },
  },
  adminRevokeCliToken: {
    method: 'post',
    path: '/api/admin/cli-tokens/:id/revoke',
    summary: 'Revoke one CLI token of anyone (admin)',
    auth: 'admin',
    request: { params: idParams },
    responses: { 200: { description: 'Revoked', body: revokeCliTokenResponse }, 404: error('No such active token') },
  },

  // --- audit ---
  auditGrants: {
    method: 'get',
    path: '/api/audit/grants',
    summary: 'Search grant history (auditor)',
    auth: 'auditor',
    request: { query: auditGrantsQuery },
    responses: { 200: { description: 'A page of grants', body: auditGrantList }, 400: error('Bad filter'), 403: error('Not an auditor') },
  },
  auditExport: {
    method: 'get',
    path: '/api/audit/grants/export',
    summary: 'Streamed export (CSV or NDJSON), same filters',
    auth: 'auditor',
    request: { query: auditExportQuery },
    responses: { 200: { description: 'Stream', contentType: 'text/csv' }, 403: error('Not an auditor'), 429: error('EXPORT_BUSY') },
  },
  auditGrant: {
    method: 'get',
    path: '/api/audit/grants/:id',
    summary: 'One grant (auditor)',
    auth: 'auditor',
    request: { params: idParams },
    responses: { 200: { description: 'Grant', body: auditGrantDetail }, 404: error('No such grant') },
  },

  // --- SCIM provisioning: the admin screen and the auditors' read of its change log ---
  adminScimStatus: {
    method: 'get',
    path: '/api/admin/scim/status',
    summary: 'SCIM provisioning: on or off, counts, last change and recent refusals (admin)',
    auth: 'admin',
    responses: { 200: { description: 'Status', body: scimStatus }, 403: error('Not an admin') },
  },
  adminScimUsers: {
    method: 'get',
    path: '/api/admin/scim/users',
    summary: 'People as the IdP pushed them (admin)',
    auth: 'admin',
    responses: { 200: { description: 'People', body: scimUserList }, 403: error('Not an admin') },
  },
  adminScimGroups: {
    method: 'get',
    path: '/api/admin/scim/groups',
    summary: 'Groups as the IdP pushed them, with their members (admin)',
    auth: 'admin',
    responses: { 200: { description: 'Groups', body: scimGroupList }, 403: error('Not an admin') },
  },
  adminScimChanges: {
    method: 'get',
    path: '/api/admin/scim/changes',
    summary: 'The SCIM change log, newest first (admin)',
    auth: 'admin',
    responses: { 200: { description: 'Changes', body: scimChangeList }, 403: error('Not an admin') },
  },
  adminScimTokens: {
    method: 'get',
    path: '/api/admin/scim/tokens',
    summary: 'SCIM bearer tokens, revoked ones included (admin)',
    auth: 'admin',
    responses: { 200: { description: 'Tokens', body: scimTokenList }, 404: error('SCIM is not enabled') },
  },
  adminScimCreateToken: {
    method: 'post',
    path: '/api/admin/scim/tokens',
    summary: 'Make a SCIM bearer token for the IdP; its secret is shown this once (admin)',
    auth: 'admin',
    request: { body: createScimTokenBody },
    responses: {
      201: { description: 'The token and its secret (never cached)', body: createdScimToken },
      400: error('Invalid label'),
      404: error('SCIM is not enabled'),
    },
  },
  adminScimRevokeToken: {
    method: 'post',
    path: '/api/admin/scim/tokens/:id/revoke',
    summary: 'Revoke a SCIM bearer token (admin)',
    auth: 'admin',
    request: { params: idParams },
    responses: { 200: { description: 'Revoked', body: revokedScimToken }, 404: error('No such active token, or SCIM is not enabled') },
  },
  auditScimChanges: {
    method: 'get',
    path: '/api/audit/scim/changes',
    summary: 'The SCIM change log, newest first (auditor)',
    auth: 'auditor',
    responses: { 200: { description: 'Changes', body: scimChangeList }, 403: error('Not an auditor') },
  },

  // --- SCIM 2.0 service provider (RFC 7644) the IdP pushes people and groups to; answers and errors in SCIM's format ---
  scimServiceProviderConfig: {
    method: 'get',
    path: '/scim/v2/ServiceProviderConfig',
    summary: 'What this SCIM service provider supports',
    auth: 'scim-token',
    onlyWhen: 'scim',
    responses: { 200: scimOk('ServiceProviderConfig', scimResource), ...scimRefusals },
  },
  scimResourceTypes: {
    method: 'get',
    path: '/scim/v2/ResourceTypes',
    summary: 'The resource types (User, Group)',
    auth: 'scim-token',
    onlyWhen: 'scim',
    responses: { 200: scimOk('ListResponse', scimListResponse), ...scimRefusals },
  },
  scimResourceType: {
    method: 'get',
    path: '/scim/v2/ResourceTypes/:id',
    summary: 'One resource type',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { params: scimIdParams },
    responses: { 200: scimOk('ResourceType', scimResource), 404: scimError('No such resource type'), ...scimRefusals },
  },
  scimSchemas: {
    method: 'get',
    path: '/scim/v2/Schemas',
    summary: 'The schemas of the resources',
    auth: 'scim-token',
    onlyWhen: 'scim',
    responses: { 200: scimOk('ListResponse', scimListResponse), ...scimRefusals },
  },
  scimSchema: {
    method: 'get',
    path: '/scim/v2/Schemas/:id',
    summary: 'One schema',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { params: scimIdParams },
    responses: { 200: scimOk('Schema', scimResource), 404: scimError('No such schema'), ...scimRefusals },
  },
  scimListUsers: {
    method: 'get',
    path: '/scim/v2/Users',
    summary: 'Find users (filter on userName, externalId or id)',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { query: scimListQuery },
    responses: { 200: scimOk('ListResponse', scimListResponse), 400: scimError('invalidFilter'), ...scimRefusals },
  },
  scimCreateUser: {
    method: 'post',
    path: '/scim/v2/Users',
    summary: 'Create a user',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { body: scimResource, bodyType: SCIM_JSON },
    responses: {
      201: scimOk('Created (Location, ETag)', scimResource),
      400: scimError('invalidValue / invalidSyntax'),
      409: scimError('uniqueness'),
      415: scimError('Not application/scim+json'),
      ...scimRefusals,
    },
  },
  scimGetUser: {
    method: 'get',
    path: '/scim/v2/Users/:id',
    summary: 'One user',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { params: scimIdParams, query: scimListQuery.pick({ excludedAttributes: true }) },
    responses: { 200: scimOk('User (ETag)', scimResource), 304: { description: 'If-None-Match matched' }, 404: scimError('User not found'), ...scimRefusals },
  },
  scimReplaceUser: {
    method: 'put',
    path: '/scim/v2/Users/:id',
    summary: 'Replace a user (If-Match honoured); inactive ends their sessions and CLI tokens',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: scimWrite(scimResource),
    responses: {
      200: scimOk('User (ETag)', scimResource),
      400: scimError('invalidValue'),
      404: scimError('User not found'),
      409: scimError('uniqueness'),
      412: scimError('Changed since that version'),
      ...scimRefusals,
    },
  },
  scimPatchUser: {
    method: 'patch',
    path: '/scim/v2/Users/:id',
    summary: 'Patch a user (PatchOp; If-Match honoured); inactive ends their sessions and CLI tokens',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: scimWrite(scimPatchBody),
    responses: {
      200: scimOk('User (ETag)', scimResource),
      400: scimError('invalidValue / invalidPath / noTarget'),
      404: scimError('User not found'),
      412: scimError('Changed since that version'),
      ...scimRefusals,
    },
  },
  scimDeleteUser: {
    method: 'delete',
    path: '/scim/v2/Users/:id',
    summary: 'Delete a user; ends their sessions and CLI tokens',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { params: scimIdParams },
    responses: { 204: noContent, 404: scimError('User not found'), 412: scimError('Changed since that version'), ...scimRefusals },
  },
  scimListGroups: {
    method: 'get',
    path: '/scim/v2/Groups',
    summary: 'Find groups (filter on displayName, externalId or id)',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { query: scimListQuery },
    responses: { 200: scimOk('ListResponse', scimListResponse), 400: scimError('invalidFilter'), ...scimRefusals },
  },
  scimCreateGroup: {
    method: 'post',
    path: '/scim/v2/Groups',
    summary: 'Create a group',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { body: scimResource, bodyType: SCIM_JSON },
    responses: {
      201: scimOk('Created (Location, ETag)', scimResource),
      400: scimError('invalidValue / invalidSyntax'),
      409: scimError('uniqueness'),
      415: scimError('Not application/scim+json'),
      ...scimRefusals,
    },
  },
  scimGetGroup: {
    method: 'get',
    path: '/scim/v2/Groups/:id',
    summary: 'One group',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { params: scimIdParams, query: scimListQuery.pick({ excludedAttributes: true }) },
    responses: { 200: scimOk('Group (ETag)', scimResource), 404: scimError('Group not found'), ...scimRefusals },
  },
  scimReplaceGroup: {
    method: 'put',
    path: '/scim/v2/Groups/:id',
    summary: 'Replace a group and its members (If-Match honoured)',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: scimWrite(scimResource),
    responses: {
      200: scimOk('Group (ETag)', scimResource),
      400: scimError('invalidValue'),
      404: scimError('Group not found'),
      409: scimError('uniqueness'),
      412: scimError('Changed since that version'),
      ...scimRefusals,
    },
  },
  scimPatchGroup: {
    method: 'patch',
    path: '/scim/v2/Groups/:id',
    summary: 'Patch a group, members included (PatchOp; If-Match honoured); no body',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: scimWrite(scimPatchBody),
    responses: {
      204: { description: 'Patched (ETag)' },
      400: scimError('invalidValue / invalidPath / noTarget'),
      404: scimError('Group not found'),
      412: scimError('Changed since that version'),
      ...scimRefusals,
    },
  },
  scimDeleteGroup: {
    method: 'delete',
    path: '/scim/v2/Groups/:id',
    summary: 'Delete a group',
    auth: 'scim-token',
    onlyWhen: 'scim',
    request: { params: scimIdParams },
    responses: { 204: noContent, 404: scimError('Group not found'), 412: scimError('Changed since that version'), ...scimRefusals },
  },

  // --- operations ---
  healthz: { method: 'get', path: '/healthz', summary: 'Liveness', auth: 'public', responses: { 200: { description: 'Alive', body: livenessResponse } } },
  readyz: {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: 503 while the database is unreachable or the instance drains',
    auth: 'public',
    responses: { 200: { description: 'Ready', body: readinessResponse }, 503: { description: 'Not ready', body: readinessResponse } },
  },
  metrics: {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    auth: 'metrics-token',
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' }, 401: error('METRICS_TOKEN set and not presented') },
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    auth: 'public',
    responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
  },
  pagesCss: {
    method: 'get',
    path: '/pages.css',
    summary: 'Stylesheet of the server-rendered pages',
    auth: 'public',
    responses: { 200: { description: 'CSS', contentType: 'text/css' } },
  },
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof ROUTES;

/** State-changing calls made with a browser session carry the CSRF token (`x-csrf-token`, or `_csrf` in forms). */
export function needsCsrf(route: RouteDef): boolean {
  return route.method !== 'get' && (route.auth === 'session' || route.auth === 'session-or-bearer' || route.auth === 'admin' || route.auth === 'auditor');
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : never;
type InferIn<T> = T extends z.ZodType ? z.input<T> : never;

/** The JSON body a route answers with on `status` (e.g. `ResponseOf<'createGrant', 201>`). */
export type ResponseOf<N extends RouteName, S extends keyof (typeof ROUTES)[N]['responses']> = (typeof ROUTES)[N]['responses'][S] extends { body: infer B }
  ? Infer<B>
  : undefined;

/** The JSON body a route takes, as the client sends it. */
export type RequestBodyOf<N extends RouteName> = (typeof ROUTES)[N] extends { request: { body: infer B } } ? InferIn<B> : never;

type Routes = typeof ROUTES;
type SuccessStatus = 200 | 201 | 202 | 204;

/** The name of the route with this method (any case) and path, e.g. `RouteAt<'POST', '/api/grants'>` is 'createGrant'. */
export type RouteAt<M extends string, P extends string> = {
  [N in RouteName]: Routes[N]['method'] extends Lowercase<M> ? (Routes[N]['path'] extends P ? N : never) : never;
}[RouteName];

/** Paths of the routes that take this method (any case). */
export type PathFor<M extends string> = { [N in RouteName]: Routes[N]['method'] extends Lowercase<M> ? Routes[N]['path'] : never }[RouteName];

/** The JSON body of a successful answer of the route at method + path (undefined for a 204). */
export type SuccessBodyAt<M extends string, P extends string> = {
  [S in keyof Routes[RouteAt<M, P>]['responses'] & SuccessStatus]: Routes[RouteAt<M, P>]['responses'][S] extends { body: infer B } ? Infer<B> : undefined;
}[keyof Routes[RouteAt<M, P>]['responses'] & SuccessStatus];

/** The JSON body the route at method + path takes (never when it takes none). */
export type RequestBodyAt<M extends string, P extends string> = RequestBodyOf<RouteAt<M, P>>;
