import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { generateSigningMaterial, type SigningMaterial } from '@rolegate/dev-idp';

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const ASSERTION_XPATH = "/*[local-name(.)='Response']/*[local-name(.)='Assertion']";

/** Everything a test can vary in a Response; defaults make a valid, fresh one. */
export interface ResponseSpec {
  inResponseTo?: string | null;
  /** InResponseTo of SubjectConfirmationData (default: same as the Response's). */
  scdInResponseTo?: string | null;
  nameId?: string;
  attributes?: Record<string, string[]>;
  destination?: string | null;
  recipient?: string | null;
  audience?: string;
  issuer?: string;
  responseIssuer?: string | null;
  statusCode?: string;
  method?: string;
  issueInstant?: Date;
  notBefore?: Date | null;
  /** Conditions NotOnOrAfter; null omits it. */
  notOnOrAfter?: Date | null;
  /** SubjectConfirmationData NotOnOrAfter; null omits it. */
  scdNotOnOrAfter?: Date | null;
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Signing key (default: the IdP's own). */
  key?: SigningMaterial;
  /** Signature and digest algorithms (default RSA-SHA256 / SHA-256). */
  algorithms?: SignatureAlgorithms;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function newId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

/** Parses XML for mutation (lenient: tests build odd documents on purpose). */
export function parseXml(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}

/** Serializes a mutated document. */
export function serialize(doc: Document | Element): string {
  return new XMLSerializer().serializeToString(doc as never);
}

/** The first element with this namespace and local name below `node` (document order). */
export function el(node: Document | Element, ns: string, localName: string, index = 0): Element {
  const found = node.getElementsByTagNameNS(ns, localName).item(index);
  if (!found) throw new Error(`no ${localName}[${index}]`);
  return found;
}

/** Signature and digest algorithm URIs of a signature (default RSA-SHA256 / SHA-256). */
export interface SignatureAlgorithms {
  signature?: string;
  digest?: string;
}

/** Signs the element at `xpath` (enveloped, exc-c14n, RSA-SHA256 unless told), the signature placed after its Issuer. */
export function signXml(xml: string, target: 'assertion' | 'response', key: SigningMaterial, algorithms: SignatureAlgorithms = {}): string {
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: algorithms.signature ?? RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  const xpath = target === 'assertion' ? ASSERTION_XPATH : "/*[local-name(.)='Response']";
  sig.addReference({ xpath, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: algorithms.digest ?? SHA256 });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

/**
 * A SAML IdP for tests: builds valid signed Responses (xml-crypto,
 * @xmldom/xmldom, a node-forge certificate) that a test then mutates into
 * each attack. It never listens: the app only redirects to its SSO URL.
 */
export function createSamlTestIdp(opts: { acsUrl: string; spEntityId: string }) {
  const key = generateSigningMaterial('Rolegate test SAML IdP');
  const issuer = 'https://idp.test.example/saml';
  return {
    issuer,
    ssoUrl: 'http://127.0.0.1:9/saml/sso',
    key,
    certificatePem: key.certificatePem,
    acsUrl: opts.acsUrl,
    spEntityId: opts.spEntityId,

    /** The AuthnRequest ID inside the app's redirect to the SSO URL (HTTP-Redirect binding, deflated). */
    requestIdOf(location: string): string {
      const req = new URL(location).searchParams.get('SAMLRequest');
      if (!req) throw new Error('no SAMLRequest in the redirect');
      const xml = inflateRawSync(Buffer.from(req, 'base64')).toString('utf8');
      const id = /\sID="([^"]+)"/.exec(xml)?.[1];
      if (!id) throw new Error('no ID in the AuthnRequest');
      return id;
    },

    /** The Response XML (unsigned unless `spec.sign`, default 'assertion'). */
    responseXml(spec: ResponseSpec = {}): string {
      const now = new Date();
      const inst = (spec.issueInstant ?? now).toISOString();
      const later = new Date(now.getTime() + 5 * 60_000);
      const notOnOrAfter = spec.notOnOrAfter === undefined ? later : spec.notOnOrAfter;
      const scdNotOnOrAfter = spec.scdNotOnOrAfter === undefined ? later : spec.scdNotOnOrAfter;
      const notBefore = spec.notBefore === undefined ? new Date(now.getTime() - 1000) : spec.notBefore;
      const inResponseTo = spec.inResponseTo === undefined ? null : spec.inResponseTo;
      const scdIrt = spec.scdInResponseTo === undefined ? inResponseTo : spec.scdInResponseTo;
      const destination = spec.destination === undefined ? opts.acsUrl : spec.destination;
      const recipient = spec.recipient === undefined ? opts.acsUrl : spec.recipient;
      const assertionIssuer = spec.issuer ?? issuer;
      const responseIssuer = spec.responseIssuer === undefined ? issuer : spec.responseIssuer;
      const attrs = Object.entries(spec.attributes ?? { email: ['alice@example.com'], groups: ['engineers'] })
        .map(
          ([name, values]) =>
            `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
        )
        .join('');
      const xml =
        `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${newId()}" Version="2.0" IssueInstant="${inst}"` +
        `${destination === null ? '' : ` Destination="${esc(destination)}"`}${inResponseTo === null ? '' : ` InResponseTo="${esc(inResponseTo)}"`}>` +
        `${responseIssuer === null ? '' : `<saml:Issuer>${esc(responseIssuer)}</saml:Issuer>`}` +
        `<samlp:Status><samlp:StatusCode Value="${esc(spec.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success')}"/></samlp:Status>` +
        `<saml:Assertion ID="${newId()}" Version="2.0" IssueInstant="${inst}">` +
        `<saml:Issuer>${esc(assertionIssuer)}</saml:Issuer>` +
        `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(spec.nameId ?? 'alice@example.com')}</saml:NameID>` +
        `<saml:SubjectConfirmation Method="${esc(spec.method ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer')}"><saml:SubjectConfirmationData` +
        `${scdNotOnOrAfter === null ? '' : ` NotOnOrAfter="${scdNotOnOrAfter.toISOString()}"`}${recipient === null ? '' : ` Recipient="${esc(recipient)}"`}` +
        `${scdIrt === null ? '' : ` InResponseTo="${esc(scdIrt)}"`}/></saml:SubjectConfirmation></saml:Subject>` +
        `<saml:Conditions${notBefore === null ? '' : ` NotBefore="${notBefore.toISOString()}"`}${notOnOrAfter === null ? '' : ` NotOnOrAfter="${notOnOrAfter.toISOString()}"`}>` +
        `<saml:AudienceRestriction><saml:Audience>${esc(spec.audience ?? opts.spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
        `<saml:AuthnStatement AuthnInstant="${inst}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
        `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` +
        `</saml:Assertion></samlp:Response>`;
      const signWith = spec.key ?? key;
      const mode = spec.sign ?? 'assertion';
      let out = xml;
      if (mode === 'assertion' || mode === 'both') out = signXml(out, 'assertion', signWith, spec.algorithms);
      if (mode === 'response' || mode === 'both') out = signXml(out, 'response', signWith, spec.algorithms);
      return out;
    },
  };
}

export type SamlTestIdp = ReturnType<typeof createSamlTestIdp>;

/** base64 for the SAMLResponse form field. */
export function b64(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}
