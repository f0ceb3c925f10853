import { describe, expect, it } from 'vitest';
import {
  checkAssertion,
  checkAttributeNames,
  checkResponse,
  checkSignatureAlgorithms,
  decodeSamlResponse,
  emailFrom,
  groupsFromAttribute,
  SamlCheckError,
  signatureDemand,
  type AssertionFacts,
} from './checks.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ACS = 'https://rolegate.example.com/auth/saml/acs';
const IDP = 'https://idp.example.com';
const NOW = Date.parse('2026-01-01T12:00:00Z');
const fresh = (): AssertionFacts => ({
  id: '_a1',
  issuer: IDP,
  issueInstant: '2026-01-01T11:59:00Z',
  conditionsNotBefore: '2026-01-01T11:59:00Z',
  conditionsNotOnOrAfter: '2026-01-01T12:05:00Z',
  confirmations: [
    { method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer', recipient: ACS, notBefore: null, notOnOrAfter: '2026-01-01T12:04:00Z', inResponseTo: '_r1' },
  ],
});
const expected = { acsUrl: ACS, idpIssuer: IDP, inResponseTo: '_r1', clockSkewMs: 60_000, maxAgeMs: 600_000, nowMs: NOW };

describe('decodeSamlResponse', () => {
  it('refuses DTDs, oversize, deep nesting and too many elements before any parser runs', () => {
    expect(() => decodeSamlResponse(b64('<!DOCTYPE x><x/>'))).toThrow(SamlCheckError);
    expect(() => decodeSamlResponse(b64('<x><!ENTITY a "b"></x>'))).toThrow(/DTD/);
    expect(() => decodeSamlResponse('A'.repeat(300_000))).toThrow(/too large/);
    expect(() => decodeSamlResponse(b64(`${'<a>'.repeat(41)}${'</a>'.repeat(41)}`))).toThrow(/nested/);
    expect(decodeSamlResponse(b64(`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`))).toContain('<a>');
    expect(() => decodeSamlResponse(b64(`<r>${'<a/>'.repeat(5000)}</r>`))).toThrow(/too many/);
    expect(() => decodeSamlResponse(undefined)).toThrow(SamlCheckError);
    expect(() => decodeSamlResponse('not base64!')).toThrow(/base64/);
  });
  it('does not count comments, CDATA or the XML declaration as elements', () => {
    expect(decodeSamlResponse(b64('<?xml version="1.0"?><r><!-- <a><a> --><![CDATA[<b><b>]]></r>'))).toContain('<r>');
  });
});

describe('signatureDemand', () => {
  it('requires a signature, refuses stray ones, verifies each present one and adds what policy demands', () => {
    expect(() => signatureDemand({ response: false, assertion: false, elsewhere: 0 }, null)).toThrow(/not signed/);
    expect(() => signatureDemand({ response: true, assertion: true, elsewhere: 1 }, null)).toThrow(/unexpected place/);
    expect(signatureDemand({ response: true, assertion: true, elsewhere: 0 }, null)).toEqual({ response: true, assertion: true });
    expect(signatureDemand({ response: false, assertion: true, elsewhere: 0 }, 'response')).toEqual({ response: true, assertion: true });
    expect(signatureDemand({ response: true, assertion: false, elsewhere: 0 }, 'assertion')).toEqual({ response: true, assertion: true });
    expect(signatureDemand({ response: true, assertion: false, elsewhere: 0 }, null)).toEqual({ response: true, assertion: false });
  });
});

describe('checkResponse', () => {
  const ok = { destination: ACS, inResponseTo: '_r1', issuer: IDP, statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success' };
  const exp = { acsUrl: ACS, idpIssuer: IDP, allowIdpInitiated: false };
  it('accepts the expected envelope and refuses each deviation', () => {
    expect(() => checkResponse(ok, exp)).not.toThrow();
    expect(() => checkResponse({ ...ok, issuer: null }, exp)).not.toThrow();
    expect(() => checkResponse({ ...ok, destination: `${ACS}/` }, exp)).toThrow(/Destination/);
    expect(() => checkResponse({ ...ok, destination: null }, exp)).toThrow(/Destination/);
    expect(() => checkResponse({ ...ok, issuer: 'https://evil' }, exp)).toThrow(/Issuer/);
    expect(() => checkResponse({ ...ok, statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester' }, exp)).toThrow(/status/);
    expect(() => checkResponse({ ...ok, inResponseTo: null }, exp)).toThrow(/unsolicited/);
    expect(() => checkResponse({ ...ok, inResponseTo: null }, { ...exp, allowIdpInitiated: true })).not.toThrow();
  });
});

describe('checkAssertion', () => {
  it('accepts a fresh bearer assertion and keeps the replay row until its latest expiry plus skew', () => {
    expect(checkAssertion(fresh(), expected).expiresAt.toISOString()).toBe('2026-01-01T12:06:00.000Z');
  });
  it.each([
    ['Issuer', { issuer: 'https://evil' }, /Issuer/],
    ['ID', { id: null }, /ID/],
    ['NotOnOrAfter missing', { conditionsNotOnOrAfter: null }, /missing/],
    ['expired', { conditionsNotOnOrAfter: '2026-01-01T11:58:59Z' }, /expired/],
    ['not yet valid', { conditionsNotBefore: '2026-01-01T12:01:01Z' }, /not yet valid/],
    ['too old', { issueInstant: '2026-01-01T11:49:00Z' }, /too old/],
    ['from the future', { issueInstant: '2026-01-01T12:01:01Z' }, /future/],
    ['local time', { conditionsNotOnOrAfter: '2026-01-01T12:05:00+01:00' }, /UTC/],
  ] as const)('refuses %s', (_n, patch, msg) => {
    expect(() => checkAssertion({ ...fresh(), ...patch }, expected)).toThrow(msg);
  });
  it.each([
    ['holder-of-key', { method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }, /bearer/],
    ['wrong Recipient', { recipient: 'https://other/acs' }, /Recipient/],
    ['missing NotOnOrAfter', { notOnOrAfter: null }, /missing/],
    ['other request', { inResponseTo: '_r2' }, /InResponseTo/],
    ['missing InResponseTo', { inResponseTo: null }, /InResponseTo/],
  ] as const)('refuses a confirmation with %s', (_n, patch, msg) => {
    const f = fresh();
    expect(() => checkAssertion({ ...f, confirmations: [{ ...f.confirmations[0]!, ...patch }] }, expected)).toThrow(msg);
  });
  it('refuses an assertion without confirmations, and any non-bearer one among bearer ones', () => {
    expect(() => checkAssertion({ ...fresh(), confirmations: [] }, expected)).toThrow(/SubjectConfirmation/);
    const f = fresh();
    expect(() => checkAssertion({ ...f, confirmations: [f.confirmations[0]!, { ...f.confirmations[0]!, method: 'urn:x' }] }, expected)).toThrow(/bearer/);
  });
});

describe('groups and email', () => {
  it('keeps group values exactly', () => {
    expect(groupsFromAttribute('a,b')).toEqual(['a,b']);
    expect(groupsFromAttribute(['x', ' y ', 'Z'])).toEqual(['x', ' y ', 'Z']);
    expect(groupsFromAttribute({ _: 'x' })).toEqual([]);
    expect(groupsFromAttribute(undefined)).toEqual([]);
  });
  it('takes the email attribute, else the NameID', () => {
    expect(emailFrom('a@x', 'n@x')).toBe('a@x');
    expect(emailFrom(['a@x'], 'n@x')).toBe('a@x');
    expect(emailFrom(['a@x', 'b@x'], 'n@x')).toBe('n@x');
    expect(emailFrom(undefined, 'n@x')).toBe('n@x');
    // One person whatever the case the IdP sends (audit filters, session names).
    expect(emailFrom('Alice@Example.COM', 'n@x')).toBe('alice@example.com');
    expect(emailFrom(undefined, 'Bob@Example.com')).toBe('bob@example.com');
    expect(emailFrom(undefined, 'Opaque-NameID')).toBe('Opaque-NameID');
  });
});

describe('checkSignatureAlgorithms', () => {
  const SHA256 = { signatureMethods: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'], digestMethods: ['http://www.w3.org/2001/04/xmlenc#sha256'] };
  const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
  const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

  it('accepts SHA-2 signatures and digests', () => {
    expect(() => checkSignatureAlgorithms(SHA256, false)).not.toThrow();
  });

  // Attack: SHA-1 collisions let content that hashes like the signed one carry another identity.
  it('refuses RSA-SHA1 and SHA-1 digests unless SAML_ALLOW_SHA1, and anything else always', () => {
    expect(() => checkSignatureAlgorithms({ ...SHA256, signatureMethods: [RSA_SHA1] }, false)).toThrow(/RSA-SHA1/);
    expect(() => checkSignatureAlgorithms({ ...SHA256, digestMethods: [SHA256.digestMethods[0]!, SHA1] }, false)).toThrow(/SHA-1 digests/);
    expect(() => checkSignatureAlgorithms({ signatureMethods: [RSA_SHA1], digestMethods: [SHA1] }, true)).not.toThrow();
    expect(() => checkSignatureAlgorithms({ ...SHA256, signatureMethods: ['http://www.w3.org/2000/09/xmldsig#hmac-sha1'] }, true)).toThrow(SamlCheckError);
    expect(() => checkSignatureAlgorithms({ ...SHA256, digestMethods: ['http://www.w3.org/2001/04/xmldsig-more#md5'] }, true)).toThrow(SamlCheckError);
    expect(() => checkSignatureAlgorithms({ ...SHA256, signatureMethods: [null] }, false)).toThrow(SamlCheckError);
  });
});

describe('checkAttributeNames', () => {
  it('accepts distinct names', () => {
    expect(() => checkAttributeNames(['email', 'groups', 'Groups'])).not.toThrow();
  });

  // Attack: a second `groups` attribute that one SP reads and another ignores.
  it('refuses a name given twice, or no name', () => {
    expect(() => checkAttributeNames(['groups', 'email', 'groups'])).toThrow(/named twice/);
    expect(() => checkAttributeNames(['email', null])).toThrow(SamlCheckError);
  });
});
