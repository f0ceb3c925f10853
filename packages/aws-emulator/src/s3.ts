import type { Principal } from './auth.js';
import { decide, deniedMessage } from './authz.js';
import type { EmulatorContext } from './context.js';
import { AwsError } from './errors.js';
import { s3Xml, xmlEscape } from './xml.js';

/** The IAM action (and resource) ListBuckets and the emulated console page are authorised as. */
export const LIST_BUCKETS_ACTION = 's3:ListAllMyBuckets';
/** ListAllMyBuckets has no resource-level permissions, so IAM evaluates it against "*". */
export const LIST_BUCKETS_RESOURCE = '*';

/** The buckets of an account, by name. */
export const bucketsOf = (ctx: EmulatorContext, account: string): string[] =>
  ctx.buckets
    .filter((b) => b.account === account)
    .map((b) => b.name)
    .sort();

/**
 * S3 ListBuckets (GET / signed for service s3): evaluates the caller's identity policies for
 * s3:ListAllMyBuckets; returns the account's buckets, or throws 403 AccessDenied.
 */
export function listBuckets(ctx: EmulatorContext, caller: Principal, region: string): string {
  const decision = decide(ctx, caller, LIST_BUCKETS_ACTION, LIST_BUCKETS_RESOURCE, region);
  if (decision.effect !== 'Allow') {
    throw new AwsError(403, 'AccessDenied', deniedMessage(caller.arn, LIST_BUCKETS_ACTION, LIST_BUCKETS_RESOURCE, decision));
  }
  const buckets = bucketsOf(ctx, caller.account)
    .map((name) => `<Bucket><Name>${xmlEscape(name)}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`)
    .join('');
  // S3 names its list elements (<Bucket>), unlike the Query protocol's <member>, so the list is rendered here.
  return s3Xml('ListAllMyBucketsResult', { Owner: { ID: caller.account, DisplayName: caller.account } }).replace(
    '</ListAllMyBucketsResult>',
    `<Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
  );
}
