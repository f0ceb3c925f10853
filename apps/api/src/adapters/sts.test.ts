import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stsRegionFor, UpstreamError } from '@rolegate/core';
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

describe('STS adapter answers that are not STS documents', () => {
  const answering = (statusCode: number, body: string, headers: Record<string, string> = {}) => {
    const seen: { headers: Record<string, string>; body: string }[] = [];
    const handler = {
      handle: async (request: { headers: Record<string, string>; body: string }) => {
        seen.push({ headers: request.headers, body: request.body });
        return { response: { statusCode, headers: { 'x-amzn-RequestId': 'hdr-req', ...headers }, body: Readable.from([Buffer.from(body)]) } };
      },
    };
    return { seen, sts: createStsAdapter({ region: 'us-east-1', endpoint: undefined, timeoutMs: 2000, credentials, requestHandler: handler }) };
  };
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof UpstreamError ? `${e.code}/${e.requestId}` : String(e)),
    );

  it('a 200 without credentials is MalformedResponse, a non-XML 5xx is HTTP<status>, a bare 429 is Throttling', async () => {
    expect(await codeOf(answering(200, '<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>').sts.assumeRole(input('arn:aws:iam::1:role/R')))).toBe(
      'MalformedResponse/hdr-req',
    );
    expect(await codeOf(answering(200, 'not xml').sts.assumeRole(input('arn:aws:iam::1:role/R')))).toBe('MalformedResponse/hdr-req');
    expect(await codeOf(answering(502, '<html>Bad gateway</html>').sts.assumeRole(input('arn:aws:iam::1:role/R')))).toBe('HTTP502/hdr-req');
    expect(await codeOf(answering(429, '').sts.assumeRole(input('arn:aws:iam::1:role/R')))).toBe('Throttling/hdr-req');
  });

  it('after a clock-skew refusal, signs the next request with AWS’s clock', async () => {
    const awsNow = new Date(Date.now() + 3600_000);
    const skewed = `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
    const { seen, sts } = answering(403, skewed, { date: awsNow.toUTCString() });
    expect(await codeOf(sts.assumeRole(input('arn:aws:iam::1:role/R')))).toBe('SignatureDoesNotMatch/r');
    await codeOf(sts.assumeRole(input('arn:aws:iam::1:role/R')));
    const amzDate = (h: Record<string, string>) => h['x-amz-date']!.slice(0, 13); // yyyymmddThhmm… to the hour
    const hour = (d: Date) => d.toISOString().replace(/[-:]/g, '').slice(0, 11);
    expect(amzDate(seen[0]!.headers).slice(0, 11)).toBe(hour(new Date()));
    expect(amzDate(seen[1]!.headers).slice(0, 11)).toBe(hour(awsNow));
  });
});
