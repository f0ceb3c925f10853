import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stsRegionFor } from '@rolegate/core';
import { createStsAdapter } from './sts.js';

const RESPONSE = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>
<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/R/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>`;

/** An HTTP handler that records the host each request would go to and answers like STS. */
function recordingHandler() {
  const hosts: string[] = [];
  const handler = {
    handle: async (request: { hostname: string }) => {
      hosts.push(request.hostname);
      return { response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(RESPONSE)]) } };
    },
    destroy: () => {},
  };
  return { hosts, handler };
}

const input = (roleArn: string) => ({ roleArn, roleSessionName: 'alice', sourceIdentity: 'alice', durationSeconds: 900, tags: {} });
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' };

describe('STS adapter partitions', () => {
  // A GovCloud or China role sent to the commercial endpoint is refused by AWS:
  // every grant for those roles would fail although the broker could serve them.
  it("sends each role's AssumeRole to its own partition's regional STS endpoint", async () => {
    const { hosts, handler } = recordingHandler();
    const sts = createStsAdapter({ region: 'eu-west-1', endpoint: undefined, timeoutMs: 2000, credentials, requestHandler: handler as never });
    await sts.assumeRole(input('arn:aws:iam::111111111111:role/R'));
    await sts.assumeRole(input('arn:aws-us-gov:iam::111111111111:role/R'));
    await sts.assumeRole(input('arn:aws-cn:iam::111111111111:role/R'));
    expect(hosts).toEqual(['sts.eu-west-1.amazonaws.com', 'sts.us-gov-west-1.amazonaws.com', 'sts.cn-north-1.amazonaws.com.cn']);
    sts.destroy();
  });

  it('keeps AWS_ENDPOINT_URL_STS (the emulator) for every partition', async () => {
    const { hosts, handler } = recordingHandler();
    const sts = createStsAdapter({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', timeoutMs: 2000, credentials, requestHandler: handler as never });
    await sts.assumeRole(input('arn:aws-us-gov:iam::111111111111:role/R'));
    expect(hosts).toEqual(['127.0.0.1']);
    sts.destroy();
  });

  it('uses the configured region when it lies in the role’s partition', () => {
    expect(stsRegionFor('aws-us-gov', 'us-gov-east-1')).toBe('us-gov-east-1');
    expect(stsRegionFor('aws-cn', 'cn-northwest-1')).toBe('cn-northwest-1');
    expect(stsRegionFor('aws', 'cn-northwest-1')).toBe('us-east-1');
  });
});
