import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';

/** A session's credentials as the broker hands them out. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** S3 ListBuckets with a session's credentials at the emulator (`s3Url`): the bucket names, or AWS's error code (e.g. AccessDenied); a TypeError is thrown. */
export async function listBuckets(s3Url: string, creds: SessionCredentials): Promise<string[] | string> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: s3Url,
    forcePathStyle: true,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    maxAttempts: 1,
  });
  try {
    return ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '');
  } catch (err) {
    if ((err as Error).name === 'TypeError') throw err; // a bug here, not an answer from AWS
    return (err as Error).name;
  } finally {
    s3.destroy();
  }
}
