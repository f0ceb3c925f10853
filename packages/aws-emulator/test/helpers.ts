import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient, AssumeRoleCommand, type AssumeRoleCommandInput, type Credentials } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { onTestFinished } from 'vitest';
import { NodeSha256 } from '../src/sigv4.js';
import { startAwsEmulator, type AwsEmulator, type EmulatorOptions } from '../src/index.js';

export const BROKER = {
  accessKeyId: 'AKIABROKER0000000001',
  secretAccessKey: 'broker-secret-value-0123456789abcdefghij',
  arn: 'arn:aws:iam::111111111111:user/rolegate-broker',
};
export const OUTSIDER = {
  accessKeyId: 'AKIAOUTSIDER00000001',
  secretAccessKey: 'outsider-secret-value-0123456789abcdefgh',
  arn: 'arn:aws:iam::999999999999:user/mallory',
};
export const CHAINED_BROKER = {
  accessKeyId: 'AKIACHAINED000000001',
  secretAccessKey: 'chained-secret-value-0123456789abcdefghi',
  arn: 'arn:aws:sts::111111111111:assumed-role/BrokerRole/i-0abc',
};

export const DEV_ROLE = 'arn:aws:iam::222222222222:role/teams/Developer';
export const ADMIN_ROLE = 'arn:aws:iam::222222222222:role/Admin';
export const SECOND_ROLE = 'arn:aws:iam::333333333333:role/Second';

/** Starts an emulator with the default callers and roles; closed when the test finishes. */
export async function startTestEmulator(overrides: Partial<EmulatorOptions> = {}): Promise<AwsEmulator> {
  const em = await startAwsEmulator({
    port: 0,
    callers: [BROKER, OUTSIDER, CHAINED_BROKER],
    roles: [
      { arn: DEV_ROLE, maxSessionDuration: 43200, trustedPrincipals: [BROKER.arn, CHAINED_BROKER.arn] },
      { arn: ADMIN_ROLE, trustedPrincipals: ['*'] },
      { arn: SECOND_ROLE, maxSessionDuration: 43200, trustedPrincipals: ['arn:aws:iam::222222222222:role/Developer'] },
    ],
    ...overrides,
  });
  onTestFinished(() => em.close());
  return em;
}

export type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** A real STS client pointed at the emulator, without retries. */
export function stsClient(em: AwsEmulator, credentials: Creds = BROKER): STSClient {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  const client = new STSClient({
    endpoint: em.stsUrl,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  });
  onTestFinished(() => client.destroy());
  return client;
}

/** A real IAM client pointed at the emulator (endpoint = iamUrl, region us-east-1), without retries. */
export function iamClient(em: AwsEmulator, credentials: Creds = BROKER): IAMClient {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  const client = new IAMClient({
    endpoint: em.iamUrl,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  });
  onTestFinished(() => client.destroy());
  return client;
}

/** A real S3 client pointed at the emulator (path style), without retries. */
export function s3Client(em: AwsEmulator, credentials: Creds): S3Client {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  const client = new S3Client({
    endpoint: em.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  });
  onTestFinished(() => client.destroy());
  return client;
}

/** AssumeRole through the SDK and return the credentials in SDK-credential shape. */
export async function assume(em: AwsEmulator, input: AssumeRoleCommandInput, as: Creds = BROKER): Promise<Creds & { raw: Credentials }> {
  const out = await stsClient(em, as).send(new AssumeRoleCommand(input));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, raw: c };
}

/** The rejection of a promise (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number; requestId?: string } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number; requestId?: string } };
  }
  throw new Error('expected the call to fail');
}

/** Sends a hand-signed STS POST (lets tests tamper with what the SDK would do right). */
export async function signedPost(em: AwsEmulator, signBody: string, sendBody = signBody, creds: Creds = BROKER): Promise<Response> {
  const url = new URL(em.stsUrl);
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: creds, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body: signBody,
  });
  return fetch(em.stsUrl, { method: 'POST', headers: signed.headers, body: sendBody });
}

/** The Session parameter of the federation endpoint. */
export const sessionJson = (c: Creds): string => JSON.stringify({ sessionId: c.accessKeyId, sessionKey: c.secretAccessKey, sessionToken: c.sessionToken });
