import type { EmulatorContext } from './context.js';
import type { Principal } from './auth.js';
import { decide, deniedMessage } from './authz.js';
import { renderConsolePage, renderDeniedPage, renderErrorPage } from './console-page.js';
import { bucketsOf, LIST_BUCKETS_ACTION, LIST_BUCKETS_RESOURCE } from './s3.js';
import { safeEqual } from './sigv4.js';
import { SIGNIN_TOKEN_TTL_MS, type IssuedSession } from './store.js';

/** A plain HTTP answer from the federation endpoint or console. */
export interface WebResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
  errorCode?: string;
  callerArn?: string;
}

const text = (status: number, errorCode: string, body: string): WebResponse => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body + '\n',
  errorCode,
});
const html = (status: number, errorCode: string | undefined, body: string): WebResponse => ({
  status,
  contentType: 'text/html; charset=utf-8',
  body,
  ...(errorCode ? { errorCode } : {}),
});

/** Finds the emulator-issued session whose key, secret and token all match and that has not expired. */
function sessionFromJson(ctx: EmulatorContext, raw: string | undefined): IssuedSession | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '');
  } catch {
    return undefined;
  }
  const { sessionId, sessionKey, sessionToken } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof sessionId !== 'string' || typeof sessionKey !== 'string' || typeof sessionToken !== 'string') return undefined;
  const s = ctx.store.findSession(sessionId);
  if (!s) return undefined;
  // Check both secrets even when the first fails, so timing does not tell which one was wrong.
  const ok = [safeEqual(sessionKey, s.secretAccessKey), safeEqual(sessionToken, s.sessionToken)].every(Boolean);
  return ok && ctx.now().getTime() < s.expiresAt.getTime() ? s : undefined;
}

/** Action=getSigninToken: exchanges emulator-issued credentials for a single-use 15-minute sign-in token. */
export function getSigninToken(ctx: EmulatorContext, params: Record<string, string>): WebResponse {
  const session = sessionFromJson(ctx, params.Session);
  if (!session) return text(400, 'InvalidSession', 'The session parameter is missing, malformed, expired or not valid.');
  let sessionDuration: number | undefined;
  if (params.SessionDuration !== undefined) {
    if (session.chained) {
      return text(400, 'InvalidSessionDuration', 'The SessionDuration parameter is not supported for role-chained sessions.');
    }
    sessionDuration = /^\d+$/.test(params.SessionDuration) ? Number(params.SessionDuration) : NaN;
    if (!(sessionDuration >= 900 && sessionDuration <= 43200)) {
      return text(400, 'InvalidSessionDuration', 'SessionDuration must be an integer between 900 and 43200 seconds.');
    }
  }
  const now = ctx.now().getTime();
  const token = ctx.store.issueSigninToken({
    session,
    expiresAt: new Date(now + SIGNIN_TOKEN_TTL_MS),
    consoleExpiresAt: sessionDuration !== undefined ? new Date(now + sessionDuration * 1000) : session.expiresAt,
    ...(sessionDuration !== undefined ? { sessionDuration } : {}),
  });
  return {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ SigninToken: token }),
    callerArn: session.arn,
    headers: { 'cache-control': 'no-store' },
  };
}

function isHttpsUrl(value: string | undefined): value is string {
  try {
    return value !== undefined && new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Action=login: consumes a sign-in token and redirects to /console with an opaque console-session id. */
export function login(ctx: EmulatorContext, params: Record<string, string>): WebResponse {
  if (!isHttpsUrl(params.Destination)) {
    return html(400, 'InvalidDestination', renderErrorPage('Destination must be an absolute https URL.'));
  }
  const record = params.SigninToken ? ctx.store.consumeSigninToken(params.SigninToken, ctx.now()) : undefined;
  if (!record) return html(400, 'InvalidSigninToken', renderErrorPage('The sign-in token is invalid, expired or already used.'));
  const id = ctx.store.openConsole({
    session: record.session,
    destination: params.Destination,
    expiresAt: record.consoleExpiresAt,
    ...(params.Issuer !== undefined ? { issuer: params.Issuer } : {}),
  });
  return {
    status: 302,
    contentType: 'text/plain; charset=utf-8',
    body: 'Redirecting to the console\n',
    headers: { location: `/console?session=${encodeURIComponent(id)}`, 'cache-control': 'no-store' },
    callerArn: record.session.arn,
  };
}

/** The principal behind an emulator-issued session. */
export const sessionPrincipal = (s: IssuedSession): Principal => ({
  arn: s.arn,
  userId: s.assumedRoleId,
  account: s.account,
  chained: true,
  configured: false,
  session: s,
});

/**
 * GET /console?session=…: the emulated console page (its home lists the account's S3 buckets), or 401 when
 * the console session is unknown or expired. Every page load is authorised like the S3 console's first call,
 * s3:ListAllMyBuckets, against the role's current identity policies and the STS session's context
 * (aws:SourceIdentity, aws:PrincipalTag/*, aws:TokenIssueTime…): a denied session gets 403.
 */
export function consolePage(ctx: EmulatorContext, params: Record<string, string>): WebResponse {
  const c = params.session ? ctx.store.findConsole(params.session, ctx.now()) : undefined;
  if (!c) return html(401, 'SessionExpired', renderErrorPage('Your console session is not valid or has expired. Sign in again.'));
  const decision = decide(ctx, sessionPrincipal(c.session), LIST_BUCKETS_ACTION, LIST_BUCKETS_RESOURCE, ctx.region);
  if (decision.effect !== 'Allow') {
    const message = deniedMessage(c.session.arn, LIST_BUCKETS_ACTION, LIST_BUCKETS_RESOURCE, decision);
    return { ...html(403, 'AccessDenied', renderDeniedPage(c, message)), callerArn: c.session.arn };
  }
  return { ...html(200, undefined, renderConsolePage(c, bucketsOf(ctx, c.session.account))), callerArn: c.session.arn };
}
