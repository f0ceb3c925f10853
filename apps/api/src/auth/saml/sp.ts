import { SAML, ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig } from '@node-saml/node-saml';
import { MultiSamlStrategy } from '@node-saml/passport-saml';
import type { Request, Response } from 'express';
import passport from 'passport';
import { DOMParser, onWarningStopParsing, type Document, type Element } from '@xmldom/xmldom';
import type { SamlSettings } from '../../config.js';
import {
  SAML_REQUEST_TTL_SECONDS,
  checkAttributeNames,
  checkSignatureAlgorithms,
  SamlCheckError,
  signatureDemand,
  type AssertionFacts,
  type ResponseFacts,
  type SignatureDemand,
  type SignaturePlacement,
  type SubjectConfirmationFacts,
} from './checks.js';

export { SAML_REQUEST_TTL_SECONDS };

const NS_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const NS_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const NS_DSIG = 'http://www.w3.org/2000/09/xmldsig#';

/** What a verified Response yields: identity from the signed assertion, envelope facts for our checks. */
export interface VerifiedSamlResponse {
  nameId: string;
  /** Attributes of the signed assertion (one string, or an array for several values). */
  attributes: Record<string, unknown>;
  assertion: AssertionFacts;
  response: ResponseFacts;
  /** AuthnInstant of the signed assertion's AuthnStatement: when the IdP authenticated the person. */
  authnInstant: string | null;
}

function childElements(parent: Element | Document, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName) out.push(n as Element);
  }
  return out;
}

/** Parses strictly (any warning or error refuses); more than one root element is an error. */
function parseStrict(xml: string): Document {
  try {
    return new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml, 'text/xml');
  } catch {
    throw new SamlCheckError('malformed XML');
  }
}

/** Where the signatures are, and the single Assertion (XSW variants add or move assertions and signatures). */
export function inspectResponse(doc: Document): { placement: SignaturePlacement; response: ResponseFacts } {
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== NS_PROTOCOL || root.localName !== 'Response') throw new SamlCheckError('not a SAML Response');
  const roots = [...Array.from(doc.childNodes)].filter((n) => n.nodeType === 1);
  if (roots.length !== 1) throw new SamlCheckError('more than one root element');
  const assertions = childElements(root, NS_ASSERTION, 'Assertion');
  if (childElements(root, NS_ASSERTION, 'EncryptedAssertion').length > 0) throw new SamlCheckError('encrypted assertions are not configured');
  if (assertions.length !== 1) throw new SamlCheckError('exactly one Assertion is required');
  if (doc.getElementsByTagNameNS(NS_ASSERTION, 'Assertion').length !== 1) throw new SamlCheckError('nested Assertion (Advice or wrapping)');
  const assertion = assertions[0]!;
  const responseSigs = childElements(root, NS_DSIG, 'Signature').length;
  const assertionSigs = childElements(assertion, NS_DSIG, 'Signature').length;
  const all = doc.getElementsByTagNameNS(NS_DSIG, 'Signature').length;
  if (responseSigs > 1 || assertionSigs > 1) throw new SamlCheckError('more than one signature on one element');
  const status = childElements(root, NS_PROTOCOL, 'Status')[0];
  const statusCode = status ? childElements(status, NS_PROTOCOL, 'StatusCode')[0] : undefined;
  const issuer = childElements(root, NS_ASSERTION, 'Issuer');
  return {
    placement: { response: responseSigs === 1, assertion: assertionSigs === 1, elsewhere: all - responseSigs - assertionSigs },
    response: {
      destination: root.getAttribute('Destination'),
      inResponseTo: root.getAttribute('InResponseTo'),
      issuer: issuer.length === 1 ? issuer[0]!.textContent : issuer.length === 0 ? null : '',
      statusCode: statusCode?.getAttribute('Value') ?? null,
    },
  };
}

/** The Algorithm of every SignatureMethod and DigestMethod in the document (null when absent). */
function algorithmsOf(doc: Document): { signatureMethods: (string | null)[]; digestMethods: (string | null)[] } {
  const algorithms = (localName: string) => Array.from(doc.getElementsByTagNameNS(NS_DSIG, localName)).map((e) => e.getAttribute('Algorithm'));
  return { signatureMethods: algorithms('SignatureMethod'), digestMethods: algorithms('DigestMethod') };
}

type XmlJs = { $?: Record<string, string>; _?: string; [child: string]: unknown };

function all(node: XmlJs | undefined, name: string): XmlJs[] {
  const v = node?.[name];
  return Array.isArray(v) ? (v as XmlJs[]) : [];
}
function attr(node: XmlJs | undefined, name: string): string | null {
  return node?.$?.[name] ?? null;
}

/** AuthnInstant of the (single) AuthnStatement of the signed assertion, or null. */
export function authnInstantOf(profile: Profile): string | null {
  const a = (profile.getAssertion?.() as { Assertion?: XmlJs } | undefined)?.Assertion;
  const statements = all(a, 'AuthnStatement');
  return statements.length === 1 ? attr(statements[0], 'AuthnInstant') : null;
}

/** Facts of the signed assertion, as node-saml parsed it from the verified bytes only. */
export function assertionFactsOf(profile: Profile): AssertionFacts {
  const parsed = profile.getAssertion?.() as { Assertion?: XmlJs } | undefined;
  const a = parsed?.Assertion;
  if (!a) throw new SamlCheckError('no signed assertion');
  const conditions = all(a, 'Conditions');
  if (conditions.length > 1) throw new SamlCheckError('more than one Conditions');
  const subjects = all(a, 'Subject');
  if (subjects.length !== 1) throw new SamlCheckError('exactly one Subject is required');
  const issuers = all(a, 'Issuer');
  checkAttributeNames(all(a, 'AttributeStatement').flatMap((st) => all(st, 'Attribute').map((at) => attr(at, 'Name'))));
  const confirmations: SubjectConfirmationFacts[] = all(subjects[0], 'SubjectConfirmation').map((c) => {
    const data = all(c, 'SubjectConfirmationData');
    if (data.length > 1) throw new SamlCheckError('more than one SubjectConfirmationData');
    return {
      method: attr(c, 'Method'),
      recipient: attr(data[0], 'Recipient'),
      notBefore: attr(data[0], 'NotBefore'),
      notOnOrAfter: attr(data[0], 'NotOnOrAfter'),
      inResponseTo: attr(data[0], 'InResponseTo'),
    };
  });
  return {
    id: attr(a, 'ID'),
    issuer: issuers.length === 1 ? (issuers[0]!._ ?? null) : null,
    issueInstant: attr(a, 'IssueInstant'),
    conditionsNotBefore: attr(conditions[0], 'NotBefore'),
    conditionsNotOnOrAfter: attr(conditions[0], 'NotOnOrAfter'),
    confirmations,
  };
}

/**
 * Per-request state handed to passport-saml's strategy: the cache provider
 * (our Postgres-backed, browser-bound store of AuthnRequest ids), which
 * signatures node-saml must verify (ACS), and ForceAuthn (redirect).
 */
export interface SamlRequestContext {
  cache: CacheProvider;
  demand?: SignatureDemand;
  forceAuthn?: boolean;
}

/** Query parameters passport-saml's strategy would act on (Redirect-binding messages, RelayState). */
const STRATEGY_QUERY_PARAMS = ['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature'];

/**
 * Binding confusion: passport-saml's strategy looks at the query string
 * before the body, so `POST /auth/saml/acs?SAMLRequest=…` (or a sign-in URL
 * carrying one) would make it validate a Redirect-binding logout message
 * instead of the posted Response we pre-checked. We use neither Redirect-
 * binding messages nor RelayState: refuse them.
 */
export function hasStrategyQueryParams(query: Record<string, unknown>): boolean {
  return STRATEGY_QUERY_PARAMS.some((k) => Object.prototype.hasOwnProperty.call(query, k));
}

/**
 * The SAML service provider, wrapping passport-saml's `MultiSamlStrategy`
 * (run through passport, without passport sessions): it sends the
 * AuthnRequest redirect and verifies Responses. Signature verification is
 * node-saml's (xml-crypto against SAML_IDP_CERT only, never a certificate
 * from KeyInfo); before the strategy runs we refuse what our checks refuse
 * and decide which signatures it must verify; after it we read the envelope
 * it does not check. InResponseTo is validated by node-saml through the
 * per-request `CacheProvider` in the context (Postgres, bound to the browser).
 */
export function createSamlServiceProvider(settings: SamlSettings) {
  const base: SamlConfig = {
    callbackUrl: settings.acsUrl,
    entryPoint: settings.ssoUrl,
    issuer: settings.spEntityId,
    audience: settings.spEntityId,
    idpCert: settings.idpCert,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    acceptedClockSkewMs: settings.clockSkewMs,
    maxAssertionAgeMs: settings.maxAssertionAgeSeconds * 1000,
    // Every Response must answer a request of ours, unless IdP-initiated sign-in is allowed.
    validateInResponseTo: settings.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SAML_REQUEST_TTL_SECONDS * 1000,
    signatureAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
  };
  const contexts = new WeakMap<object, SamlRequestContext>();
  const strategy = new MultiSamlStrategy(
    {
      ...base,
      passReqToCallback: true,
      getSamlOptions(req, done) {
        const ctx = contexts.get(req);
        // Only our routes run the strategy, and only after setting the context.
        if (!ctx) return done(new Error('no SAML request context'));
        done(null, {
          ...base,
          cacheProvider: ctx.cache,
          ...(ctx.demand ? { wantAuthnResponseSigned: ctx.demand.response, wantAssertionsSigned: ctx.demand.assertion } : {}),
          ...(ctx.forceAuthn ? { forceAuthn: true } : {}),
        });
      },
    },
    (_req, profile, done) => done(null, profile ?? undefined),
    // Single logout is not offered: a logout message never signs anyone in or out.
    (_req, _profile, done) => done(new Error('SAML logout is not supported')),
  );
  const metadataXml = new SAML(base).generateServiceProviderMetadata(null, null);

  /** Runs the strategy for this request; resolves with what its verify callback returned (ACS). */
  function run(req: Request, res: Response, ctx: SamlRequestContext): Promise<Profile | false> {
    contexts.set(req, ctx);
    return new Promise((resolve, reject) => {
      res.once('finish', () => resolve(false));
      // passport-saml's typings are written against Express 4's Request type; the runtime is the same.
      passport.authenticate(strategy as unknown as passport.Strategy, { session: false }, (err: unknown, user: Profile | false) => {
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(user);
      })(req, res, (err?: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    });
  }

  return {
    acsUrl: settings.acsUrl,
    idpIssuer: settings.idpIssuer,
    /** SP metadata XML (entity id, ACS URL with the POST binding). */
    metadata: () => metadataXml,

    /**
     * Answers `res` with the strategy's redirect to the IdP (HTTP-Redirect
     * binding) carrying a new AuthnRequest, whose ID the strategy stores
     * through `ctx.cache`. `ctx.forceAuthn`: step-up — ForceAuthn="true".
     */
    async redirectToIdp(req: Request, res: Response, ctx: SamlRequestContext): Promise<void> {
      if (hasStrategyQueryParams(req.query as Record<string, unknown>)) throw new SamlCheckError('SAML message in the sign-in URL');
      await run(req, res, ctx);
      if (!res.headersSent) throw new Error('passport-saml did not redirect');
    },

    /**
     * Verifies a decoded, pre-checked Response (`xml`, posted as
     * `req.body.SAMLResponse`) through the strategy: structure, every
     * signature present (plus those SAML_REQUIRE_SIGNED demands), Audience,
     * node-saml's time checks and InResponseTo through `ctx.cache`.
     * @throws SamlCheckError for anything refused.
     */
    async verify(req: Request, res: Response, xml: string, ctx: SamlRequestContext): Promise<VerifiedSamlResponse> {
      if (hasStrategyQueryParams(req.query as Record<string, unknown>)) throw new SamlCheckError('SAML message in the ACS query string');
      const doc = parseStrict(xml);
      const { placement, response } = inspectResponse(doc);
      checkSignatureAlgorithms(algorithmsOf(doc), settings.allowSha1);
      const demand = signatureDemand(placement, settings.requireSigned);
      let profile: Profile | false;
      try {
        profile = await run(req, res, { ...ctx, demand });
      } catch (err) {
        throw new SamlCheckError(`passport-saml: ${(err as Error).message.slice(0, 200)}`);
      }
      if (!profile) throw new SamlCheckError('no assertion');
      if (typeof profile.nameID !== 'string' || profile.nameID.length === 0) throw new SamlCheckError('no NameID');
      return {
        nameId: profile.nameID,
        attributes: (profile.attributes as Record<string, unknown> | undefined) ?? {},
        assertion: assertionFactsOf(profile),
        response,
        authnInstant: authnInstantOf(profile),
      };
    },
  };
}

export type SamlServiceProvider = ReturnType<typeof createSamlServiceProvider>;
