import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startAwsEmulator, type AwsEmulator } from '@rolegate/aws-emulator';
import { startDevOidcProvider, startDevSamlIdp, type DevOidcProvider, type DevSamlIdp } from '@rolegate/dev-idp';
import { parseMappingsYaml } from './mappings-file.js';

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
  close(): Promise<void>;
}

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
export async function startDemoEnvironment(opts: { publicUrl: string; mappingsFile?: string }): Promise<DemoEnvironment> {
  const mappingsFile = opts.mappingsFile ?? DEMO_MAPPINGS_FILE;
  const doc = parseMappingsYaml(await readFile(mappingsFile, 'utf8'), mappingsFile);
  const brokerCredentials = { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
  const roles = [...new Set(doc.mappings.map((m) => m.roleArn))].map((arn) => ({ arn, maxSessionDuration: 43200, trustedPrincipals: [BROKER_ARN] }));
  const aws = await listenOnPreferred(4566, (port) => startAwsEmulator({ port, callers: [{ ...brokerCredentials, arn: BROKER_ARN }], roles }));
  const clientSecret = randomBytes(24).toString('base64url');
  const idp = await listenOnPreferred(9400, (port) =>
    startDevOidcProvider({
      port,
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
      FEDERATION_URL: aws.federationUrl,
      ADMIN_GROUPS: 'platform-admins',
      AUDITOR_GROUPS: 'auditors',
      MAPPINGS_FILE: mappingsFile,
    },
    idp,
    samlIdp,
    aws,
    brokerCredentials,
    async close() {
      await Promise.allSettled([idp.close(), samlIdp.close(), aws.close()]);
    },
  };
}
