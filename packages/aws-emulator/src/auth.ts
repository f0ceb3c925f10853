import { accountOf, isAssumedRoleArn, parseAssumedRoleArn } from './arn.js';
import type { EmulatorContext } from './context.js';
import { AwsError } from './errors.js';
import { stableId } from './ids.js';
import { computeSignature, parseAmzDate, parseAuthorization, safeEqual, sha256Hex, type SignedRequestInput } from './sigv4.js';
import type { IssuedSession } from './store.js';

/** The authenticated identity behind an STS request. */
export interface Principal {
  arn: string;
  userId: string;
  account: string;
  /** The caller is an assumed role, so AssumeRole from it is role chaining. */
  chained: boolean;
  /** Configured in EmulatorOptions.callers (rather than issued by this emulator). */
  configured: boolean;
  session?: IssuedSession;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const header = (req: SignedRequestInput, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const invalidToken = (): AwsError => new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
const badSignature = (message?: string): AwsError =>
  new AwsError(
    403,
    'SignatureDoesNotMatch',
    message ??
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

function userIdOf(arn: string): string {
  const assumed = parseAssumedRoleArn(arn);
  return assumed
    ? `${stableId('AROA', `arn:${assumed.partition}:iam::${assumed.account}:role/${assumed.roleName}`)}:${assumed.sessionName}`
    : stableId('AIDA', arn);
}

/** The services served at "/", told apart by the SigV4 credential scope. */
export type SignedService = 'sts' | 'iam' | 's3';

/**
 * Verifies the SigV4 signature of a request to `service` and returns the caller.
 * Throws 403 InvalidClientTokenId (unknown key or wrong session token), ExpiredToken,
 * SignatureDoesNotMatch (wrong secret, tampered body, wrong scope, clock skew).
 */
export async function authenticate(ctx: EmulatorContext, req: SignedRequestInput, service: SignedService = 'sts'): Promise<Principal> {
  const auth = parseAuthorization(header(req, 'authorization'));
  const amzDate = header(req, 'x-amz-date');
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || !auth.signedHeaders.includes('x-amz-date') || !auth.signedHeaders.includes('host')) {
    throw new AwsError(403, 'IncompleteSignature', 'The request must contain a signed X-Amz-Date and Host header.');
  }
  const token = header(req, 'x-amz-security-token');
  const configured = ctx.callers.get(auth.accessKeyId);
  const session = configured ? undefined : ctx.store.findSession(auth.accessKeyId);
  if (!configured && !session) throw invalidToken();
  // A stolen access key id alone must not do: temporary credentials need their exact session token.
  const expectedToken = configured ? configured.sessionToken : session!.sessionToken;
  if (expectedToken !== undefined && (token === undefined || !safeEqual(token, expectedToken))) throw invalidToken();
  if (token !== undefined && !auth.signedHeaders.includes('x-amz-security-token')) throw invalidToken();

  if (auth.service !== service) throw badSignature(`Credential should be scoped to correct service: '${service}'.`);
  if (amzDate!.slice(0, 8) !== auth.date) throw badSignature('Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.');
  // Replay window, against the wall clock (the SDK signs with real time even when `now` is simulated).
  if (Math.abs(Date.now() - signingDate.getTime()) > MAX_SKEW_MS) {
    throw badSignature(`Signature expired: ${amzDate} is now earlier or later than allowed (15 minutes of skew).`);
  }
  // The signer trusts x-amz-content-sha256 as the payload hash, so it must match the body we got.
  const contentSha = header(req, 'x-amz-content-sha256');
  if (contentSha !== undefined && contentSha !== 'UNSIGNED-PAYLOAD' && contentSha !== sha256Hex(req.body)) throw badSignature();
  // S3 clients may sign UNSIGNED-PAYLOAD (the header value itself is signed); the Query APIs never do.
  if (contentSha === 'UNSIGNED-PAYLOAD' && service !== 's3') throw badSignature();

  const secret = configured ? configured.secretAccessKey : session!.secretAccessKey;
  const expected = await computeSignature(req, auth, secret, signingDate);
  if (!safeEqual(expected, auth.signature)) throw badSignature();
  if (session && ctx.now().getTime() >= session.expiresAt.getTime()) {
    throw new AwsError(403, 'ExpiredToken', 'The security token included in the request is expired');
  }
  const arn = configured ? configured.arn : session!.arn;
  return {
    arn,
    userId: session ? session.assumedRoleId : userIdOf(arn),
    account: accountOf(arn),
    chained: isAssumedRoleArn(arn),
    configured: configured !== undefined,
    ...(session ? { session } : {}),
  };
}
