import { describe, expect, it } from 'vitest';
import { parseAssumeRoleResponse, parseCallerIdentityResponse, parseErrorResponse, parseXml, XmlError } from './sts-xml.js';

// The response shapes from the AWS STS API reference (AssumeRole, GetCallerIdentity, Common Errors), as printed there.
const DOCUMENTED_ASSUME_ROLE = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleResult>
<SourceIdentity>Alice</SourceIdentity>
  <AssumedRoleUser>
    <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
    <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
  </AssumedRoleUser>
  <Credentials>
    <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
    <SessionToken>
     AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==
    </SessionToken>
    <Expiration>2019-11-09T13:34:41Z</Expiration>
  </Credentials>
  <PackedPolicySize>6</PackedPolicySize>
</AssumeRoleResult>
<ResponseMetadata>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ResponseMetadata>
</AssumeRoleResponse>`;

const DOCUMENTED_CALLER_IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
  <Arn>arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name</Arn>
    <UserId>ARO123EXAMPLE123:my-role-session-name</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>`;

const errorXml = (code: string, message: string, type = 'Sender') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>${type}</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>4d8e9f3a-0000-4000-8000-000000000001</RequestId>
</ErrorResponse>`;

describe('STS XML: AssumeRoleResponse', () => {
  it('reads the credentials, the assumed-role ARN and the request id of the documented answer', () => {
    const out = parseAssumeRoleResponse(DOCUMENTED_ASSUME_ROLE);
    expect(out.accessKeyId).toBe('ASIAIOSFODNN7EXAMPLE');
    expect(out.secretAccessKey).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY');
    expect(out.sessionToken.startsWith('AQoDYXdzEPT//////////wEXAMPLE')).toBe(true);
    expect(out.sessionToken.endsWith('oLxBA==')).toBe(true);
    expect(out.expiration.toISOString()).toBe('2019-11-09T13:34:41.000Z');
    expect(out.assumedRoleArn).toBe('arn:aws:sts::123456789012:assumed-role/demo/TestAR');
    expect(out.requestId).toBe('c6104cbe-af31-11e0-8154-cbc7ccf896c7');
  });

  it('decodes entities and character references in text', () => {
    const xml = DOCUMENTED_ASSUME_ROLE.replace('wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', 'a&amp;b&lt;c&#x3E;&#61;');
    expect(parseAssumeRoleResponse(xml).secretAccessKey).toBe('a&b<c>=');
  });

  it.each([
    ['no Credentials', DOCUMENTED_ASSUME_ROLE.replace(/<Credentials>[\s\S]*<\/Credentials>/, '')],
    ['an empty SessionToken', DOCUMENTED_ASSUME_ROLE.replace(/<SessionToken>[\s\S]*<\/SessionToken>/, '<SessionToken></SessionToken>')],
    ['an Expiration that is no timestamp', DOCUMENTED_ASSUME_ROLE.replace('2019-11-09T13:34:41Z', 'tomorrow')],
    ['another root element', DOCUMENTED_CALLER_IDENTITY],
  ])('refuses an answer with %s', (_what, xml) => {
    expect(() => parseAssumeRoleResponse(xml)).toThrow(XmlError);
  });
});

describe('STS XML: GetCallerIdentityResponse', () => {
  it('reads the caller ARN of the documented answer', () => {
    expect(parseCallerIdentityResponse(DOCUMENTED_CALLER_IDENTITY)).toEqual({
      arn: 'arn:aws:sts::123456789012:assumed-role/my-role-name/my-role-session-name',
      requestId: '01234567-89ab-cdef-0123-456789abcdef',
    });
  });
});

describe('STS XML: ErrorResponse', () => {
  it.each([
    ['AccessDenied', 'User: arn:aws:iam::123456789012:user/broker is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/R'],
    ['Throttling', 'Rate exceeded'],
    ['ExpiredToken', 'The security token included in the request is expired'],
    ['RegionDisabledException', 'STS is not activated in this region for account:123456789012.'],
    ['MalformedPolicyDocument', 'The policy &quot;x&quot; is malformed'],
  ])('reads code %s and its message', (code, message) => {
    const out = parseErrorResponse(errorXml(code, message));
    expect(out).toEqual({ code, message: message.replace(/&quot;/g, '"'), requestId: '4d8e9f3a-0000-4000-8000-000000000001' });
  });

  it('reads the <Response><Errors><Error> form some AWS front ends answer with', () => {
    const xml = '<Response><Errors><Error><Code>InternalFailure</Code><Message>oops</Message></Error></Errors><RequestID>r-9</RequestID></Response>';
    expect(parseErrorResponse(xml)).toEqual({ code: 'InternalFailure', message: 'oops', requestId: 'r-9' });
  });

  it('is undefined for a body that is not an STS error document (an HTML page from a proxy, empty, truncated)', () => {
    expect(parseErrorResponse('<html><body><h1>503 Service Unavailable</h1></body></html>')).toBeUndefined();
    expect(parseErrorResponse('')).toBeUndefined();
    expect(parseErrorResponse(errorXml('Throttling', 'Rate exceeded').slice(0, 120))).toBeUndefined();
  });
});

describe('STS XML: strictness', () => {
  it.each([
    ['a DOCTYPE (no entity expansion)', '<!DOCTYPE x [<!ENTITY e "boom">]><a>&e;</a>'],
    ['an unknown entity', '<a>&e;</a>'],
    ['an unterminated entity', '<a>a &amp b</a>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['two roots', '<a/><b/>'],
    ['text outside the root', 'x<a/>'],
    ['mixed content', '<a>x<b/></a>'],
    ['an unquoted attribute', '<a x=1></a>'],
    ['a processing instruction inside', '<a><?php x ?></a>'],
    ['a character reference to a surrogate', '<a>&#xD800;</a>'],
  ])('refuses %s', (_what, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
  });

  it('accepts a declaration, comments, CDATA and attributes, and ignores namespace prefixes', () => {
    const root = parseXml('<?xml version="1.0"?><!-- c --><s:a xmlns:s="urn:x" k=\'v\'><s:b><![CDATA[1 < 2 & 3]]></s:b><c/></s:a>\n');
    expect(root.name).toBe('a');
    expect(root.children.map((c) => [c.name, c.text])).toEqual([
      ['b', '1 < 2 & 3'],
      ['c', ''],
    ]);
  });
});
