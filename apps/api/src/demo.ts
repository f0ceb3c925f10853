import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MAX_SESSION_SECONDS } from '@rolegate/aws-names';
import { startAwsEmulator, type AwsEmulator } from '@rolegate/aws-emulator';
import { DEMO_USERS, startDevOidcProvider, startDevSamlIdp, type DemoUser, type DevOidcProvider, type DevSamlIdp } from '@rolegate/dev-idp';
import { parseMappingsYaml, toDeclared } from './mappings-file.js';

export const DEMO_MAPPINGS_FILE = path.resolve(import.meta.dirname, '../../../prisma/seed/demo-mappings.yaml');
const BROKER_ARN = 'arn:aws:iam::000000000000:user/rolegate-broker';

export interface DemoEnvironment {
  /** Environment variables that point Rolegate at the demo services. */
  env: Record<string, string>;
  idp: DevOidcProvider;
  /** The demo SAML IdP (same users and passwords as `idp`). */
  samlIdp: DevSamlIdp;
  aws: AwsEmulator;
  brokerCredentials: { accessKeyId: string; secretAccessKey: string };
  /**
   * The demo accounts and mappings to seed into an empty database, or null
   * when the operator set MAPPINGS_FILE (that file is then the truth).
   */
  seed: ReturnType<typeof toDeclared> | null;
  close(): Promise<void>;
}

/** File in the data directory holding the demo passwords (mode 0600). */
export const DEMO_PASSWORDS_FILE = 'demo-passwords.json';

/**
 * The demo users with passwords that stay the same across restarts of one
 * data directory: generated once (random, never a fixed demo password that
 * could leak), stored in `<dataDir>/demo-passwords.json` with mode 0600.
 */
export async function demoUsers(dataDir: string | undefined): Promise<DemoUser[]> {
  const fresh = () => randomBytes(12).toString('base64url');
  if (!dataDir) return DEMO_USERS.map((u) => ({ ...u, groups: [...u.groups], password: fresh() }));
  const file = path.join(dataDir, DEMO_PASSWORDS_FILE);
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed && typeof parsed === 'object') stored = parsed as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file}: unreadable (${(err as Error).message}); delete it to get new demo passwords`, { cause: err });
  }
  const valid = (p: unknown): p is string => typeof p === 'string' && /^[\w-]{16,}$/.test(p);
  const users = DEMO_USERS.map((u): DemoUser => {
    const kept = stored[u.username];
    return { ...u, groups: [...u.groups], password: valid(kept) ? kept : fresh() };
  });
  if (users.some((u) => u.password !== stored[u.username])) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(Object.fromEntries(users.map((u) => [u.username, u.password])), null, 2)}\n`, { mode: 0o600 });
  }
  await chmod(file, 0o600);
  return users;
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
/** The revocation policy's first version, as an operator creates it: denies nothing. */
const NO_REVOCATIONS = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'NoRevocations', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/rolegate:grant-id': 'none' } } },
  ],
};
const accountsOf = (doc: { mappings: { roleArn: string }[] }): string[] => [...new Set(doc.mappings.map((m) => m.roleArn.split(':')[4]!))];
/** The per-account control role of the demo (what an operator deploys in every account). */
export const demoControlRoleArn = (account: string): string => `arn:aws:iam::${account}:role/RolegateControl`;
export const demoRevocationPolicyArn = (account: string): string => `arn:aws:iam::${account}:policy/RolegateRevocations`;

/**
 * The demo's AWS side, as an operator sets it up: each brokered role trusts the broker and has an
 * allow-all inline policy plus RolegateRevocations attached; each account has a RolegateControl role
 * that may only manage that policy and read brokered roles.
 */
function demoAwsAccounts(doc: { mappings: { roleArn: string }[] }) {
  const accounts = accountsOf(doc);
  return {
    managedPolicies: accounts.map((a) => ({ arn: demoRevocationPolicyArn(a), document: NO_REVOCATIONS })),
    roles: [
      ...[...new Set(doc.mappings.map((m) => m.roleArn))].map((arn) => ({
        arn,
        maxSessionDuration: MAX_SESSION_SECONDS,
        trustedPrincipals: [BROKER_ARN],
        inlinePolicies: { Work: ALLOW_ALL },
        attachedPolicyArns: [demoRevocationPolicyArn(arn.split(':')[4]!)],
      })),
      ...accounts.map((a) => ({
        arn: demoControlRoleArn(a),
        trustedPrincipals: [BROKER_ARN],
        inlinePolicies: {
          RolegateControl: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  'iam:CreatePolicy',
                  'iam:GetPolicy',
                  'iam:GetPolicyVersion',
                  'iam:ListPolicyVersions',
                  'iam:CreatePolicyVersion',
                  'iam:DeletePolicyVersion',
                  'iam:SetDefaultPolicyVersion',
                ],
                Resource: demoRevocationPolicyArn(a),
              },
              { Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListAttachedRolePolicies'], Resource: `arn:aws:iam::${a}:role/*` },
            ],
          },
        },
      })),
    ],
  };
}

/** One S3 bucket per demo account, so `aws s3 ls` and the emulated console show something. */
const demoBuckets = (doc: { mappings: { roleArn: string }[] }) => accountsOf(doc).map((account) => ({ account, name: `demo-${account}` }));

async function listenOnPreferred<T>(preferred: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(preferred);
  } catch {
    return start(0);
  }
}

/**
 * Starts the local AWS emulator (with the demo roles, trusting the broker)
 * and the dev OIDC provider (alice, bob, carol) for `npm start` without an
 * IdP. Never loaded in production.
 */
export async function startDemoEnvironment(opts: { publicUrl: string; mappingsFile?: string; dataDir?: string }): Promise<DemoEnvironment> {
  const mappingsFile = opts.mappingsFile ?? DEMO_MAPPINGS_FILE;
  const doc = parseMappingsYaml(await readFile(mappingsFile, 'utf8'), mappingsFile);
  const brokerCredentials = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
  const aws = await listenOnPreferred(4566, (port) =>
    startAwsEmulator({ port, callers: [{ ...brokerCredentials, arn: BROKER_ARN }], ...demoAwsAccounts(doc), buckets: demoBuckets(doc) }),
  );
  const clientSecret = randomBytes(24).toString('base64url');
  const users = await demoUsers(opts.dataDir);
  const idp = await listenOnPreferred(9400, (port) =>
    startDevOidcProvider({
      port,
      users,
      clients: [{ clientId: 'rolegate-demo', clientSecret, redirectUris: [`${opts.publicUrl}/auth/oidc/callback`] }],
    }),
  );
  // Same host name as the app: the ACS form post is then same-site in the plain-http demo.
  const samlIdp = await listenOnPreferred(9401, (port) =>
    startDevSamlIdp({
      port,
      urlHost: new URL(opts.publicUrl).hostname,
      users: idp.users,
      sp: { entityId: `${opts.publicUrl}/auth/saml/metadata`, acsUrl: `${opts.publicUrl}/auth/saml/acs` },
    }),
  );
  return {
    env: {
      SAML_IDP_SSO_URL: samlIdp.ssoUrl,
      SAML_IDP_ISSUER: samlIdp.entityId,
      SAML_IDP_CERT: samlIdp.certificatePem,
      ROLEGATE_DEMO: '1',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'rolegate-demo',
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_SCOPES: 'openid email profile groups',
      AWS_ENDPOINT_URL_STS: aws.stsUrl,
      AWS_ENDPOINT_URL_IAM: aws.iamUrl,
      FEDERATION_URL: aws.federationUrl,
      ADMIN_GROUPS: 'platform-admins',
      AUDITOR_GROUPS: 'auditors',
    },
    idp,
    samlIdp,
    aws,
    brokerCredentials,
    // The demo's own mappings only seed an empty database: after that the admin screen is the truth.
    // Each demo account names its control role (the emulator has one in every account).
    seed: opts.mappingsFile
      ? null
      : { ...toDeclared(doc), accounts: doc.accounts.map((a) => ({ ...a, controlRoleArn: a.controlRoleArn ?? demoControlRoleArn(a.id) })) },
    async close() {
      await Promise.allSettled([idp.close(), samlIdp.close(), aws.close()]);
    },
  };
}
