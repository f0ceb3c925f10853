/**
 * The SAML checks node-saml leaves to us, as small pure functions. Each one
 * throws `SamlCheckError` with a short reason (for logs; never the document)
 * and names the attack it stops.
 */

/** How long an AuthnRequest id stays answerable (here, not in sp.ts, so that the sign-in flow does not load the SAML libraries). */
export const SAML_REQUEST_TTL_SECONDS = 600;

/** A refused SAML Response; `reason` is safe to log (it never contains the document). */
export class SamlCheckError extends Error {
  override readonly name = 'SamlCheckError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

function refuse(reason: string): never {
  throw new SamlCheckError(reason);
}

/** Bounds on the raw document, checked before any XML parser sees it. */
export interface SamlDocumentLimits {
  /** Longest accepted base64 `SAMLResponse` field, in characters. */
  maxBase64Length: number;
  /** Deepest accepted element nesting. */
  maxDepth: number;
  /** Most elements accepted in one document. */
  maxElements: number;
}

export const DEFAULT_DOCUMENT_LIMITS: SamlDocumentLimits = { maxBase64Length: 200_000, maxDepth: 40, maxElements: 4000 };

/**
 * Decodes the posted `SAMLResponse` and refuses, before parsing:
 * - anything that is not a bounded base64 string (oversized documents: memory and CPU exhaustion);
 * - any DTD (`<!DOCTYPE`, `<!ENTITY`): XXE / external entities and "billion laughs" entity expansion;
 * - documents nested deeper than `maxDepth` or with more than `maxElements`
 *   elements (parser stack exhaustion, quadratic XPath work) — counted by a
 *   linear scan, so the check itself stays cheap.
 */
export function decodeSamlResponse(value: unknown, limits: SamlDocumentLimits = DEFAULT_DOCUMENT_LIMITS): string {
  if (typeof value !== 'string' || value.length === 0) refuse('no SAMLResponse');
  if (value.length > limits.maxBase64Length) refuse('SAMLResponse too large');
  const compact = value.replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) refuse('SAMLResponse is not base64');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) refuse('DTDs are not accepted');
  let depth = 0;
  let elements = 0;
  // Tags, comments, CDATA and processing instructions; attribute values cannot contain '<'.
  const tag = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<(\/?)([^<>]*?)(\/?)>/g;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const [whole, closing, name, selfClosing] = m;
    if (whole.startsWith('<!--') || whole.startsWith('<![CDATA[') || name?.startsWith('?')) continue;
    if (closing) {
      depth--;
      continue;
    }
    elements++;
    if (elements > limits.maxElements) refuse('too many elements');
    if (!selfClosing) {
      depth++;
      if (depth > limits.maxDepth) refuse('document nested too deeply');
    }
  }
  return xml;
}

const STRONG_SIGNATURES = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
]);
const STRONG_DIGESTS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);
const SHA1_SIGNATURE = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1_DIGEST = 'http://www.w3.org/2000/09/xmldsig#sha1';

/**
 * Refuses SHA-1 in any signature (RSA-SHA1 SignatureMethod, SHA-1
 * DigestMethod) and any algorithm outside the SHA-2 family: SHA-1 collisions
 * are practical (SHAttered, 2017; chosen-prefix, 2020), so content that
 * collides with what the IdP signed could carry another person's identity.
 * `allowSha1` (SAML_ALLOW_SHA1) re-admits exactly RSA-SHA1 / SHA-1 for
 * legacy IdPs that cannot sign otherwise.
 */
export function checkSignatureAlgorithms(used: { signatureMethods: (string | null)[]; digestMethods: (string | null)[] }, allowSha1: boolean): void {
  for (const alg of used.signatureMethods) {
    if (alg !== null && (STRONG_SIGNATURES.has(alg) || (allowSha1 && alg === SHA1_SIGNATURE))) continue;
    refuse(alg === SHA1_SIGNATURE ? 'RSA-SHA1 signatures are refused (SAML_ALLOW_SHA1 allows them)' : 'unsupported signature algorithm');
  }
  for (const alg of used.digestMethods) {
    if (alg !== null && (STRONG_DIGESTS.has(alg) || (allowSha1 && alg === SHA1_DIGEST))) continue;
    refuse(alg === SHA1_DIGEST ? 'SHA-1 digests are refused (SAML_ALLOW_SHA1 allows them)' : 'unsupported digest algorithm');
  }
}

/**
 * Refuses an assertion that names one attribute twice (two `groups`
 * Attribute elements): SPs disagree about which one counts — the first, the
 * last, or both merged — so an IdP-side injection of a second `groups` or
 * `email` attribute could add groups or change who the person is here while
 * the IdP's own view shows something else.
 */
export function checkAttributeNames(names: readonly (string | null)[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === null || name.length === 0) refuse('attribute without a Name');
    if (seen.has(name)) refuse('an attribute is named twice');
    seen.add(name);
  }
}

/** Where signatures sit in a Response. */
export interface SignaturePlacement {
  /** A ds:Signature is a direct child of the root Response. */
  response: boolean;
  /** A ds:Signature is a direct child of the (single) Assertion. */
  assertion: boolean;
  /** ds:Signature elements anywhere else (inside Advice, Extensions, Object, another Signature…). */
  elsewhere: number;
}

/** Which signatures node-saml must verify for this document (each one present, plus what policy demands). */
export interface SignatureDemand {
  response: boolean;
  assertion: boolean;
}

/**
 * Decides which signatures must verify:
 * - a signature outside the two places SAML defines is refused outright — it
 *   is what XML signature wrapping (XSW) and a forged assertion in `Advice`
 *   look like, and nobody would verify it;
 * - every signature present must verify (a valid assertion signature does not
 *   excuse a broken Response signature: a verifier that checks only one of
 *   them can be steered to the wrong one);
 * - an unsigned assertion in an unsigned Response is refused ("signature removed");
 * - `SAML_REQUIRE_SIGNED` adds a mandatory signature on top.
 */
export function signatureDemand(placement: SignaturePlacement, requireSigned: 'assertion' | 'response' | 'both' | null): SignatureDemand {
  if (placement.elsewhere > 0) refuse('signature in an unexpected place');
  if (!placement.response && !placement.assertion) refuse('the Response is not signed');
  return {
    response: placement.response || requireSigned === 'response' || requireSigned === 'both',
    assertion: placement.assertion || requireSigned === 'assertion' || requireSigned === 'both',
  };
}

/** Response-level values (the envelope around the signed assertion). */
export interface ResponseFacts {
  destination: string | null;
  inResponseTo: string | null;
  issuer: string | null;
  statusCode: string | null;
}

/** What the Response envelope must say. */
export interface ResponseExpectations {
  acsUrl: string;
  idpIssuer: string;
  allowIdpInitiated: boolean;
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/**
 * Checks the Response envelope:
 * - Status must be Success (a non-success Response carrying an assertion is refused);
 * - Destination must equal our ACS URL (a Response minted for another SP,
 *   replayed at ours);
 * - a Response Issuer, when present, must be the configured IdP;
 * - InResponseTo is required unless IdP-initiated sign-in is enabled
 *   (unsolicited responses enable login CSRF and make stolen assertions usable anywhere).
 */
export function checkResponse(facts: ResponseFacts, expected: ResponseExpectations): void {
  if (facts.statusCode !== SUCCESS) refuse('non-success status');
  if (facts.destination !== expected.acsUrl) refuse('Destination is not our ACS URL');
  if (facts.issuer !== null && facts.issuer !== expected.idpIssuer) refuse('Response Issuer is not the configured IdP');
  if (facts.inResponseTo === null && !expected.allowIdpInitiated) refuse('unsolicited Response (no InResponseTo)');
  if (facts.inResponseTo !== null && (facts.inResponseTo.length === 0 || facts.inResponseTo.length > 256)) refuse('malformed InResponseTo');
}

/** One SubjectConfirmation of the signed assertion. */
export interface SubjectConfirmationFacts {
  method: string | null;
  recipient: string | null;
  notBefore: string | null;
  notOnOrAfter: string | null;
  inResponseTo: string | null;
}

/** Values read from the signed assertion (never from unsigned content). */
export interface AssertionFacts {
  id: string | null;
  issuer: string | null;
  issueInstant: string | null;
  conditionsNotBefore: string | null;
  conditionsNotOnOrAfter: string | null;
  confirmations: SubjectConfirmationFacts[];
}

/** What the signed assertion must say. */
export interface AssertionExpectations {
  acsUrl: string;
  idpIssuer: string;
  /** The Response's InResponseTo (null when unsolicited). */
  inResponseTo: string | null;
  clockSkewMs: number;
  maxAgeMs: number;
  nowMs: number;
}

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

function instant(value: string | null, what: string): number {
  if (value === null) refuse(`${what} missing`);
  // xs:dateTime in UTC, as SAML requires; anything else is refused rather than guessed.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(value)) refuse(`${what} is not a UTC timestamp`);
  const ms = Date.parse(value.replace(/(\.\d{3})\d+Z$/, '$1Z'));
  if (Number.isNaN(ms)) refuse(`${what} is not a timestamp`);
  return ms;
}

/**
 * Checks the signed assertion and returns when it stops being acceptable (for the replay table):
 * - Issuer equals the configured IdP (an assertion from another IdP that shares a signing key);
 * - an ID exists (the replay table is keyed by it);
 * - Conditions NotOnOrAfter is required and not passed (assertions valid forever);
 * - NotBefore not in the future and IssueInstant not older than the maximum age,
 *   both with a bounded clock skew (long-lived stolen assertions);
 * - bearer confirmation only, every confirmation with Recipient equal to our
 *   ACS URL and a NotOnOrAfter (holder-of-key or sender-vouches we cannot
 *   check; an assertion minted for another SP);
 * - SubjectConfirmationData InResponseTo equals the Response's (binds the
 *   signed content to our request when only the assertion is signed).
 */
export function checkAssertion(facts: AssertionFacts, expected: AssertionExpectations): { expiresAt: Date } {
  const { nowMs, clockSkewMs } = expected;
  if (facts.issuer !== expected.idpIssuer) refuse('assertion Issuer is not the configured IdP');
  if (!facts.id || facts.id.length > 256) refuse('assertion ID missing');

  const issued = instant(facts.issueInstant, 'IssueInstant');
  if (issued > nowMs + clockSkewMs) refuse('assertion issued in the future');
  if (nowMs - clockSkewMs >= issued + expected.maxAgeMs) refuse('assertion too old');

  let latest = instant(facts.conditionsNotOnOrAfter, 'Conditions NotOnOrAfter');
  if (nowMs - clockSkewMs >= latest) refuse('assertion expired');
  if (facts.conditionsNotBefore !== null && instant(facts.conditionsNotBefore, 'NotBefore') > nowMs + clockSkewMs) {
    refuse('assertion not yet valid');
  }

  if (facts.confirmations.length === 0) refuse('no SubjectConfirmation');
  for (const c of facts.confirmations) {
    if (c.method !== BEARER) refuse('only bearer confirmation is accepted');
    if (c.recipient !== expected.acsUrl) refuse('Recipient is not our ACS URL');
    const until = instant(c.notOnOrAfter, 'SubjectConfirmationData NotOnOrAfter');
    if (nowMs - clockSkewMs >= until) refuse('subject confirmation expired');
    if (c.notBefore !== null && instant(c.notBefore, 'SubjectConfirmationData NotBefore') > nowMs + clockSkewMs) {
      refuse('subject confirmation not yet valid');
    }
    if (c.inResponseTo !== expected.inResponseTo) refuse('InResponseTo of the assertion does not match the Response');
    latest = Math.max(latest, until);
  }
  // Keep the replay row until the assertion can no longer be accepted, skew included.
  return { expiresAt: new Date(latest + clockSkewMs) };
}

/**
 * Groups from an attribute value exactly as signed: one string is one group
 * ("a,b" stays one group named "a,b"), several values are several groups.
 * Anything else yields no groups rather than a guess.
 */
export function groupsFromAttribute(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

/**
 * The email: the configured attribute when it holds one string, else the
 * NameID (an email address with the usual emailAddress NameID format; any
 * other NameID still names the person by signed content). Emails are
 * lower-cased: Alice@Example.com and alice@example.com are one person.
 */
export function emailFrom(attribute: unknown, nameId: string): string {
  if (typeof attribute === 'string' && attribute.length > 0) return attribute.toLowerCase();
  if (Array.isArray(attribute) && attribute.length === 1 && typeof attribute[0] === 'string' && attribute[0].length > 0) return attribute[0].toLowerCase();
  return nameId.includes('@') ? nameId.toLowerCase() : nameId;
}
