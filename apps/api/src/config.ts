import { readFileSync } from 'node:fs';
import { IAM_PRINCIPAL_ARN_PATTERN } from '@rolegate/aws-names';
import { NOTIFICATION_TYPES, type NotificationType } from '@rolegate/core';
import { z } from 'zod';
import type { NotifyRoute } from './notifications/routing.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** https, or plain http to a loopback host (tests and the demo only). */
const endpointUrl = z
  .string()
  .url()
  .refine((v) => {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname));
  }, 'must be an https URL (plain http is allowed only for 127.0.0.1, ::1 or localhost)');

const groupList = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(',').filter((g) => g.length > 0) : []));

const emailAddress = z.string().regex(/^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/, 'must be an email address');
const emailList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== ''),
  )
  .pipe(z.array(emailAddress).max(50));

const SLACK_CHANNEL_ID = /^[CG][A-Z0-9]{6,20}$/;

/** One NOTIFY_ROUTES entry: a channel, its target, and filters (all optional). */
const routeSchema = z
  .object({
    channel: z.enum(['webhook', 'email', 'slack']),
    target: z.string().min(1),
    events: z
      .array(z.enum(NOTIFICATION_TYPES as [NotificationType, ...NotificationType[]]))
      .min(1)
      .optional(),
    groups: z.array(z.string().min(1)).min(1).optional(),
    accounts: z
      .array(z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'))
      .min(1)
      .optional(),
    roles: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const ok =
      r.channel === 'webhook'
        ? endpointUrl.safeParse(r.target).success
        : r.channel === 'email'
          ? r.target.split(',').every((a) => emailAddress.safeParse(a.trim()).success)
          : SLACK_CHANNEL_ID.test(r.target);
    if (!ok) {
      const what = { webhook: 'an https URL', email: 'email addresses (comma-separated)', slack: 'a Slack channel id (C…)' }[r.channel];
      ctx.addIssue({ code: 'custom', path: ['target'], message: `must be ${what} for the ${r.channel} channel` });
    }
  });

/** A JSON array of routes (NOTIFY_ROUTES). */
const routesJson = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of routes' });
      return z.NEVER;
    }
  })
  .pipe(z.array(routeSchema).max(50).optional());

/** `channel:target` entries, comma-separated (NOTIFY_SECURITY_TARGETS): `slack:C0SEC`, `email:sec@example.com`, `webhook:https://…`. */
const securityTargets = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')
      .map((t) => ({ channel: t.slice(0, t.indexOf(':')), target: t.slice(t.indexOf(':') + 1) })),
  )
  .pipe(z.array(routeSchema).max(10));

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

const envSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().optional(),
    PUBLIC_URL: z.string().url().optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
    DATABASE_MIGRATION_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
    DATA_DIR: z.string().default('.rolegate'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_TTL_SECONDS: positiveInt(8 * 3600),
    STEP_UP_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    // Notifications (docs/approvals.md): signed webhooks for every request event.
    NOTIFY_WEBHOOK_URLS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((u) => u.trim())
          .filter((u) => u !== ''),
      )
      .pipe(z.array(endpointUrl).max(10)),
    NOTIFY_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/=]{24,}$/, 'must be a whsec_… secret (base64 of at least 18 bytes)')
      .optional(),
    // Email over SMTP (nodemailer): smtp[s]://[user:password@]host[:port]; From; the default recipients.
    NOTIFY_SMTP_URL: z
      .string()
      .url()
      .refine((v) => /^smtps?:$/.test(new URL(v).protocol), 'must be an smtp:// or smtps:// URL')
      .optional(),
    NOTIFY_EMAIL_FROM: z
      .string()
      .refine((v) => emailAddress.safeParse(v.match(/<([^>]+)>\s*$/)?.[1] ?? v).success, 'must be an address, or "Name <address>"')
      .optional(),
    NOTIFY_EMAIL_TO: emailList,
    // Slack (@slack/web-api): a bot token, the channel id of request messages, the API base (tests point it at a fake),
    // the signing secret of interactive requests, and whether its Approve button works (off: it skips step-up).
    NOTIFY_SLACK_TOKEN: z
      .string()
      .regex(/^xox[bp]-[A-Za-z0-9-]{10,}$/, 'must be a Slack bot token (xoxb-…)')
      .optional(),
    NOTIFY_SLACK_CHANNEL: z.string().regex(SLACK_CHANNEL_ID, 'must be a Slack channel id (C…), not a name').optional(),
    NOTIFY_SLACK_API_URL: endpointUrl.default('https://slack.com/api/').transform((v) => (v.endsWith('/') ? v : `${v}/`)),
    SLACK_SIGNING_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    SLACK_APPROVE_IN_SLACK: z
      .enum(['0', '1', 'true', 'false'])
      .default('false')
      .transform((v) => v === '1' || v === 'true'),
    // Which notifications go where (replaces "every target gets everything"), and who hears every break-glass.
    NOTIFY_ROUTES: routesJson,
    NOTIFY_SECURITY_TARGETS: securityTargets,
    REVIEW_RENOTIFY_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(4 * 3600),
    NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
    CLI_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(7 * 24 * 3600)
      .default(8 * 3600),
    ROLEGATE_DEMO: z.enum(['0', '1', 'true', 'false']).optional(),
    OIDC_ISSUER: endpointUrl.optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
    OIDC_SCOPES: z.string().default('openid email profile'),
    OIDC_USERNAME_CLAIM: z.string().min(1).optional(),
    OIDC_ID_TOKEN_ALG: z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA']).default('RS256'),
    OIDC_REFRESH_GROUPS: z
      .enum(['0', '1', 'true', 'false'])
      .default('false')
      .transform((v) => v === '1' || v === 'true'),
    CLI_GROUPS_RECHECK_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 3600)
      .default(3600),
    ADMIN_GROUPS: groupList,
    AUDITOR_GROUPS: groupList,
    AWS_REGION: z.string().min(1).default('us-east-1'),
    AWS_ENDPOINT_URL_STS: endpointUrl.optional(),
    AWS_ENDPOINT_URL_IAM: endpointUrl.optional(),
    IAM_TIMEOUT_MS: positiveInt(10_000),
    // IAM's customer-managed policy name rules: 1–128 of [\w+=,.@-].
    REVOCATION_POLICY_NAME: z
      .string()
      .regex(/^[\w+=,.@-]{1,128}$/, 'must be an IAM policy name (1-128 characters of letters, digits and +=,.@_-)')
      .default('RolegateRevocations'),
    // The revocation worker (every replica): how often it looks for due revocations, and its retry backoff when IAM fails.
    REVOCATION_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
    REVOCATION_RETRY_BASE_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
    REVOCATION_RETRY_MAX_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    MAPPING_CHECK_INTERVAL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(3600),
    FEDERATION_URL: endpointUrl.optional(),
    STS_TIMEOUT_MS: positiveInt(10_000),
    SHUTDOWN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
    FEDERATION_TIMEOUT_MS: positiveInt(10_000),
    MAPPINGS_FILE: z.string().optional(),
    BROKER_PRINCIPAL_ARN: z.string().regex(IAM_PRINCIPAL_ARN_PATTERN, 'must be an IAM user or role ARN (arn:aws:iam::123456789012:role/Name)').optional(),
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(kb|mb)$/)
      .default('32kb'),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    EXPORT_MAX_CONCURRENT: z.coerce.number().int().min(1).max(50).default(4),
    EXPORT_STATEMENT_TIMEOUT_MS: positiveInt(300_000),
    EXPORT_IDLE_READER_TIMEOUT_MS: positiveInt(30_000),
    // Fixed windows; defaults no human reaches, low enough to stop scripted abuse.
    RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
    RATE_LIMIT_SIGNIN: positiveInt(60),
    RATE_LIMIT_GRANTS: positiveInt(120),
    RATE_LIMIT_BEARER_FAILURES: positiveInt(20),
    SAML_IDP_SSO_URL: endpointUrl.optional(),
    SAML_IDP_ISSUER: z.string().min(1).optional(),
    SAML_IDP_CERT: z.string().min(1).optional(),
    SAML_SP_ENTITY_ID: z.string().min(1).optional(),
    SAML_GROUPS_ATTRIBUTE: z.string().min(1).default('groups'),
    SAML_EMAIL_ATTRIBUTE: z.string().min(1).default('email'),
    SAML_REQUIRE_SIGNED: z.enum(['assertion', 'response', 'both']).optional(),
    SAML_ALLOW_IDP_INITIATED: z
      .enum(['0', '1', 'true', 'false'])
      .default('false')
      .transform((v) => v === '1' || v === 'true'),
    SAML_ALLOW_SHA1: z
      .enum(['0', '1', 'true', 'false'])
      .default('false')
      .transform((v) => v === '1' || v === 'true'),
    SAML_CLOCK_SKEW_MS: z.coerce.number().int().min(0).max(300_000).default(60_000),
    SAML_MAX_ASSERTION_AGE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(600),
    SCIM_ENABLED: z
      .enum(['0', '1', 'true', 'false'])
      .default('false')
      .transform((v) => v === '1' || v === 'true'),
    SCIM_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SCIM_SIGNIN_GROUPS: z.enum(['ignore', 'intersect']).default('ignore'),
    SCIM_GROUP_NAME: z.enum(['displayName', 'externalId']).default('displayName'),
    RATE_LIMIT_SCIM: positiveInt(1200),
    SCIM_BODY_LIMIT: z
      .string()
      .regex(/^\d+(kb|mb)$/)
      .default('1mb'),
  })
  .superRefine((env, ctx) => {
    if (env.NOTIFY_WEBHOOK_URLS.length > 0 && !env.NOTIFY_WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFY_WEBHOOK_SECRET'], message: 'is required when NOTIFY_WEBHOOK_URLS is set (webhooks are always signed)' });
    }
    if (env.NOTIFY_SMTP_URL && !env.NOTIFY_EMAIL_FROM) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFY_EMAIL_FROM'], message: 'is required when NOTIFY_SMTP_URL is set' });
    }
    if (env.NOTIFY_EMAIL_TO.length > 0 && !env.NOTIFY_SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFY_SMTP_URL'], message: 'is required when NOTIFY_EMAIL_TO is set (mail needs a server)' });
    }
    if (env.NOTIFY_SLACK_CHANNEL && !env.NOTIFY_SLACK_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFY_SLACK_TOKEN'], message: 'is required when NOTIFY_SLACK_CHANNEL is set' });
    }
    if (env.SLACK_APPROVE_IN_SLACK && (!env.SLACK_SIGNING_SECRET || !env.NOTIFY_SLACK_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_APPROVE_IN_SLACK'],
        message: 'needs SLACK_SIGNING_SECRET (to verify the click) and NOTIFY_SLACK_TOKEN (to ask Slack who clicked)',
      });
    }
    // A route to a channel that is not configured would fill the outbox with rows nothing can deliver.
    const configured = { webhook: Boolean(env.NOTIFY_WEBHOOK_SECRET), email: Boolean(env.NOTIFY_SMTP_URL), slack: Boolean(env.NOTIFY_SLACK_TOKEN) };
    const needs = { webhook: 'NOTIFY_WEBHOOK_SECRET', email: 'NOTIFY_SMTP_URL', slack: 'NOTIFY_SLACK_TOKEN' } as const;
    for (const [name, list] of [
      ['NOTIFY_ROUTES', env.NOTIFY_ROUTES ?? []],
      ['NOTIFY_SECURITY_TARGETS', env.NOTIFY_SECURITY_TARGETS],
    ] as const) {
      list.forEach((r, i) => {
        if (!configured[r.channel]) ctx.addIssue({ code: 'custom', path: [name, i, 'channel'], message: `${r.channel} needs ${needs[r.channel]}` });
      });
    }
    const oidcVars = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidcVars.some(Boolean) && !oidcVars.every(Boolean)) {
      for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when OIDC is configured' });
      }
    }
    const samlVars = [env.SAML_IDP_SSO_URL, env.SAML_IDP_ISSUER, env.SAML_IDP_CERT];
    if (samlVars.some(Boolean) && !samlVars.every(Boolean)) {
      for (const name of ['SAML_IDP_SSO_URL', 'SAML_IDP_ISSUER', 'SAML_IDP_CERT'] as const) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when SAML is configured' });
      }
    }
    const demo = isDemo(env);
    // An image built for production whose IdP variables went missing must not
    // come up as the demo (its own IdP with published passwords, admin for
    // anyone who reads them): refuse unless the demo is asked for by name.
    if (demo && env.NODE_ENV === 'production' && env.ROLEGATE_DEMO === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['OIDC_ISSUER'],
        message: 'NODE_ENV=production and no identity provider is configured: set OIDC_* or SAML_* (or ROLEGATE_DEMO=1 to run the demo on purpose)',
      });
    }
    if (!demo && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required outside demo mode' });
    }
    if (env.DATABASE_MIGRATION_URL && !env.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_MIGRATION_URL'], message: 'needs DATABASE_URL (the runtime role) as well' });
    }
    if (env.SCIM_ENABLED && !env.SCIM_TOKEN_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SCIM_TOKEN_SECRET'], message: 'is required when SCIM_ENABLED is on (the key of the SCIM token hashes)' });
    }
    if (env.SCIM_ENABLED && env.OIDC_REFRESH_GROUPS) {
      // Two truths for a CLI token's groups: the re-check would replace SCIM's groups with the IdP's token claims.
      ctx.addIssue({
        code: 'custom',
        path: ['OIDC_REFRESH_GROUPS'],
        message: 'cannot be on with SCIM_ENABLED (SCIM already applies group changes to CLI tokens on their next request)',
      });
    }
    if (!demo && !env.OIDC_ISSUER && !env.SAML_IDP_SSO_URL) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'no identity provider is configured (set OIDC_*, SAML_* or ROLEGATE_DEMO=1)' });
    }
  });

type Env = z.infer<typeof envSchema>;

function isDemo(env: Pick<Env, 'ROLEGATE_DEMO' | 'OIDC_ISSUER' | 'SAML_IDP_SSO_URL'>): boolean {
  if (env.ROLEGATE_DEMO === '1' || env.ROLEGATE_DEMO === 'true') return true;
  if (env.ROLEGATE_DEMO === '0' || env.ROLEGATE_DEMO === 'false') return false;
  return !env.OIDC_ISSUER && !env.SAML_IDP_SSO_URL;
}

/** Without NOTIFY_ROUTES: every configured target hears every notification. */
function defaultRoutes(env: Env): NotifyRoute[] {
  return [
    ...env.NOTIFY_WEBHOOK_URLS.map((url): NotifyRoute => ({ channel: 'webhook', target: url })),
    ...(env.NOTIFY_EMAIL_TO.length > 0 ? [{ channel: 'email' as const, target: env.NOTIFY_EMAIL_TO.join(',') }] : []),
    ...(env.NOTIFY_SLACK_CHANNEL ? [{ channel: 'slack' as const, target: env.NOTIFY_SLACK_CHANNEL }] : []),
  ];
}

/** SAML_IDP_CERT is PEM text, or else the path of a PEM file (read once, at boot). */
function readIdpCert(value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch {
    throw new ConfigError([`SAML_IDP_CERT: is neither PEM text nor a readable file: ${value}`]);
  }
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  groupsClaim: string;
  scopes: string;
  idTokenAlg: string;
  /** Claim naming a person who has no verified email (e.g. preferred_username); null = `sub`. */
  usernameClaim: string | null;
  /** Keep the refresh token with CLI tokens and re-check the person's groups at the IdP (adds `offline_access`). */
  refreshGroups: boolean;
  /** How old a CLI token's groups may get before they are re-checked at the IdP. */
  groupsRecheckSeconds: number;
}

export interface SamlSettings {
  ssoUrl: string;
  idpIssuer: string;
  /** The IdP's signing certificate as PEM text. */
  idpCert: string;
  spEntityId: string;
  acsUrl: string;
  groupsAttribute: string;
  emailAttribute: string;
  /** Which signature is mandatory; unset = the assertion's, the Response's or both (each present one must verify). */
  requireSigned: 'assertion' | 'response' | 'both' | null;
  allowIdpInitiated: boolean;
  /** Accept RSA-SHA1 signatures and SHA-1 digests (legacy IdPs only; off by default). */
  allowSha1: boolean;
  clockSkewMs: number;
  maxAssertionAgeSeconds: number;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  secureCookies: boolean;
  databaseUrl: string | undefined;
  /** The owner role that runs migrations; unset = DATABASE_URL's role (then the audit trail is not tamper-proof). */
  databaseMigrationUrl: string | undefined;
  dataDir: string;
  sessionSecret: string | undefined;
  sessionTtlSeconds: number;
  /** How recent an IdP authentication must be to approve a CLI sign-in (and, later, requests). */
  stepUpMaxAgeSeconds: number;
  /** Lifetime of a CLI bearer token (default 12 h). */
  cliTokenTtlSeconds: number;
  /** Notification channels and delivery settings of the outbox. */
  notify: {
    webhookUrls: string[];
    webhookSecret: string | undefined;
    /** SMTP delivery (null = no email channel). */
    email: { smtpUrl: string; from: string } | null;
    /** Slack: bot token and API base (null = no Slack channel); interactive requests' signing secret; the Approve button. */
    slack: { token: string | null; apiUrl: string; signingSecret: string | null; approveInSlack: boolean };
    /** Which notifications go where (every configured target gets everything unless NOTIFY_ROUTES says otherwise). */
    routes: NotifyRoute[];
    /** Targets that hear every break-glass at once and every overdue review, whatever `routes` say. */
    securityRoutes: NotifyRoute[];
    timeoutMs: number;
    maxAttempts: number;
    /** How often an overdue break-glass review is announced again. */
    reviewRenotifySeconds: number;
  };
  demo: boolean;
  oidc: OidcSettings | null;
  saml: SamlSettings | null;
  adminGroups: string[];
  auditorGroups: string[];
  aws: {
    region: string;
    stsEndpoint: string | undefined;
    /** AWS_ENDPOINT_URL_IAM: IAM for every account and partition (the emulator); unset = each partition's IAM endpoint. */
    iamEndpoint: string | undefined;
    federationUrl: string | undefined;
    stsTimeoutMs: number;
    /** Bound of every IAM call and of the control role's AssumeRole. */
    iamTimeoutMs: number;
    federationTimeoutMs: number;
    /** Name of the customer-managed policy, in every account, that holds the revocation denies (REVOCATION_POLICY_NAME). */
    revocationPolicyName: string;
  };
  /** How often each mapping's role is checked (trust, MaxSessionDuration, revocation policy); every replica runs the job, each mapping is checked once per interval. */
  mappingCheckIntervalSeconds: number;
  /** The revocation worker: pass interval and IAM retry backoff (docs/revocation.md). */
  revocations: { intervalMs: number; retryBaseMs: number; retryMaxMs: number };
  mappingsFile: string | undefined;
  /** After SIGTERM: how long /readyz answers 503 before the listener closes, and the whole shutdown's limit. */
  shutdown: { drainMs: number; timeoutMs: number };
  /** Trust-policy principal shown to admins; unset = the identity STS reports for the broker. */
  brokerPrincipalArn: string | undefined;
  trustProxy: number;
  logLevel: Env['LOG_LEVEL'];
  /** Bearer token GET /metrics requires; unset = /metrics is closed (404), except in the loopback demo. */
  metricsToken: string | undefined;
  bodyLimit: string;
  /** Per window: sign-in hits per client IP (each of login, OIDC callback, SAML ACS); grants per user; failed bearer tokens per client IP and instance. */
  rateLimits: { windowSeconds: number; signinPerIp: number; grantsPerUser: number; bearerFailuresPerIp: number };
  /** SCIM provisioning (null = off): token hash secret; how sign-in groups combine with SCIM's; which group attribute mappings name; requests per client address and window. */
  scim: { tokenSecret: string; signInGroups: 'ignore' | 'intersect'; groupName: 'displayName' | 'externalId'; requestsPerIp: number; bodyLimit: string } | null;
  /** Audit exports: own pool of `maxConcurrent` connections, 2 per user, statement and idle-reader timeouts. */
  exports: { maxConcurrent: number; statementTimeoutMs: number; idleReaderTimeoutMs: number };
}

/** Thrown when the environment is invalid; `problems` names each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates the environment once. The result is frozen; nothing
 * else in Rolegate reads process.env.
 * @throws ConfigError listing every problem, each naming its variable.
 */
export function loadConfig(source: Record<string, string | undefined>): Readonly<Config> {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const env = parsed.data;
  const demo = isDemo(env);
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const config: Config = {
    port: env.PORT,
    host: env.HOST ?? (demo ? '127.0.0.1' : '0.0.0.0'),
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    databaseUrl: env.DATABASE_URL,
    databaseMigrationUrl: env.DATABASE_MIGRATION_URL,
    dataDir: env.DATA_DIR,
    sessionSecret: env.SESSION_SECRET,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    stepUpMaxAgeSeconds: env.STEP_UP_MAX_AGE_SECONDS,
    cliTokenTtlSeconds: env.CLI_TOKEN_TTL_SECONDS,
    notify: {
      webhookUrls: env.NOTIFY_WEBHOOK_URLS,
      webhookSecret: env.NOTIFY_WEBHOOK_SECRET,
      email: env.NOTIFY_SMTP_URL && env.NOTIFY_EMAIL_FROM ? { smtpUrl: env.NOTIFY_SMTP_URL, from: env.NOTIFY_EMAIL_FROM } : null,
      slack: {
        token: env.NOTIFY_SLACK_TOKEN ?? null,
        apiUrl: env.NOTIFY_SLACK_API_URL,
        signingSecret: env.SLACK_SIGNING_SECRET ?? null,
        approveInSlack: env.SLACK_APPROVE_IN_SLACK,
      },
      routes: env.NOTIFY_ROUTES ?? defaultRoutes(env),
      securityRoutes: env.NOTIFY_SECURITY_TARGETS,
      timeoutMs: env.NOTIFY_TIMEOUT_MS,
      maxAttempts: env.NOTIFY_MAX_ATTEMPTS,
      reviewRenotifySeconds: env.REVIEW_RENOTIFY_SECONDS,
    },
    demo,
    oidc:
      env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
        ? {
            issuer: env.OIDC_ISSUER,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET,
            groupsClaim: env.OIDC_GROUPS_CLAIM,
            scopes: env.OIDC_SCOPES,
            idTokenAlg: env.OIDC_ID_TOKEN_ALG,
            usernameClaim: env.OIDC_USERNAME_CLAIM ?? null,
            refreshGroups: env.OIDC_REFRESH_GROUPS,
            groupsRecheckSeconds: env.CLI_GROUPS_RECHECK_SECONDS,
          }
        : null,
    saml:
      env.SAML_IDP_SSO_URL && env.SAML_IDP_ISSUER && env.SAML_IDP_CERT
        ? {
            ssoUrl: env.SAML_IDP_SSO_URL,
            idpIssuer: env.SAML_IDP_ISSUER,
            idpCert: readIdpCert(env.SAML_IDP_CERT),
            spEntityId: env.SAML_SP_ENTITY_ID ?? `${publicUrl}/auth/saml/metadata`,
            acsUrl: `${publicUrl}/auth/saml/acs`,
            groupsAttribute: env.SAML_GROUPS_ATTRIBUTE,
            emailAttribute: env.SAML_EMAIL_ATTRIBUTE,
            requireSigned: env.SAML_REQUIRE_SIGNED ?? null,
            allowIdpInitiated: env.SAML_ALLOW_IDP_INITIATED,
            allowSha1: env.SAML_ALLOW_SHA1,
            clockSkewMs: env.SAML_CLOCK_SKEW_MS,
            maxAssertionAgeSeconds: env.SAML_MAX_ASSERTION_AGE_SECONDS,
          }
        : null,
    adminGroups: env.ADMIN_GROUPS,
    auditorGroups: env.AUDITOR_GROUPS,
    aws: {
      region: env.AWS_REGION,
      stsEndpoint: env.AWS_ENDPOINT_URL_STS,
      iamEndpoint: env.AWS_ENDPOINT_URL_IAM,
      federationUrl: env.FEDERATION_URL,
      stsTimeoutMs: env.STS_TIMEOUT_MS,
      iamTimeoutMs: env.IAM_TIMEOUT_MS,
      federationTimeoutMs: env.FEDERATION_TIMEOUT_MS,
      revocationPolicyName: env.REVOCATION_POLICY_NAME,
    },
    mappingCheckIntervalSeconds: env.MAPPING_CHECK_INTERVAL_SECONDS,
    revocations: { intervalMs: env.REVOCATION_INTERVAL_MS, retryBaseMs: env.REVOCATION_RETRY_BASE_MS, retryMaxMs: env.REVOCATION_RETRY_MAX_MS },
    mappingsFile: env.MAPPINGS_FILE,
    // The default budget outlasts a grant that started just before the listener closed: both outbound calls at their timeouts, plus 5 s for its writes.
    shutdown: {
      drainMs: env.SHUTDOWN_DRAIN_SECONDS * 1000,
      timeoutMs: (env.SHUTDOWN_TIMEOUT_SECONDS ?? env.SHUTDOWN_DRAIN_SECONDS + Math.ceil((env.STS_TIMEOUT_MS + env.FEDERATION_TIMEOUT_MS) / 1000) + 5) * 1000,
    },
    brokerPrincipalArn: env.BROKER_PRINCIPAL_ARN,
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
    bodyLimit: env.BODY_LIMIT,
    metricsToken: env.METRICS_TOKEN,
    rateLimits: {
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
      signinPerIp: env.RATE_LIMIT_SIGNIN,
      grantsPerUser: env.RATE_LIMIT_GRANTS,
      bearerFailuresPerIp: env.RATE_LIMIT_BEARER_FAILURES,
    },
    scim:
      env.SCIM_ENABLED && env.SCIM_TOKEN_SECRET
        ? {
            tokenSecret: env.SCIM_TOKEN_SECRET,
            signInGroups: env.SCIM_SIGNIN_GROUPS,
            groupName: env.SCIM_GROUP_NAME,
            requestsPerIp: env.RATE_LIMIT_SCIM,
            bodyLimit: env.SCIM_BODY_LIMIT,
          }
        : null,
    exports: {
      maxConcurrent: env.EXPORT_MAX_CONCURRENT,
      statementTimeoutMs: env.EXPORT_STATEMENT_TIMEOUT_MS,
      idleReaderTimeoutMs: env.EXPORT_IDLE_READER_TIMEOUT_MS,
    },
  };
  return Object.freeze(config);
}
