import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningMaterial } from '@rolegate/dev-idp';
import type { Document, Element, Node } from '@xmldom/xmldom';
import type { HttpResponse, TestBrowser } from './support/http-client.js';
import { b64, el, NS, parseXml, serialize, signXml, type ResponseSpec, type SamlTestIdp } from './support/saml-idp.js';
import { postAcs } from './support/saml-stack.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let idp: SamlTestIdp;

beforeAll(async () => {
  stack = await startStack({ saml: 'test-idp' });
  idp = stack.samlIdp!;
});
afterAll(async () => {
  await stack?.close();
});

const uniq = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

/** A browser that started SP-initiated sign-in, and the AuthnRequest ID the IdP must answer. */
async function startLogin(b: TestBrowser = stack.browser()) {
  const res = await b.get('/auth/login?provider=saml');
  expect(res.status).toBe(302);
  return { b, requestId: idp.requestIdOf(res.location!) };
}

/** A valid Response for `who` answering the request (signed as `spec.sign`, default the assertion). */
function valid(requestId: string, who: string, spec: ResponseSpec = {}): string {
  return idp.responseXml({ inResponseTo: requestId, nameId: who, attributes: { email: [who], groups: ['nobody'] }, ...spec });
}

async function sessionsOf(subject: string): Promise<number> {
  const r = await stack.sql.query(`SELECT count(*)::int AS n FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE u.subject = $1`, [subject]);
  return r.rows[0].n;
}

/**
 * The three things every refused attack must show: the ACS refused it, the
 * browser has no session (and no session row names any of the subjects),
 * and AWS saw no AssumeRole — not even when the browser then follows a console link.
 */
async function expectRefused(res: HttpResponse, b: TestBrowser, subjects: string[], code = 'LOGIN_FAILED') {
  expect([400, 403, 413]).toContain(res.status);
  expect(res.json().error.code).toBe(code);
  expect(res.headers.get('set-cookie') ?? '').not.toMatch(/rolegate\.sid=/);
  expect((await b.get('/api/me')).status).toBe(401);
  for (const s of subjects) expect(await sessionsOf(s)).toBe(0);
  const grant = await b.get('/console/111111111111/Developer');
  expect(grant.status).toBe(302);
  expect(grant.location).toMatch(/^\/auth\/login/);
  expect(stack.aws.countCalls('AssumeRole')).toBe(0);
}

async function attack(mutate: (doc: Document, ctx: { requestId: string; eve: string; target: string }) => void, spec: ResponseSpec = {}) {
  const { b, requestId } = await startLogin();
  const eve = uniq('eve');
  const target = uniq('admin');
  const doc = parseXml(valid(requestId, eve, spec));
  mutate(doc, { requestId, eve, target });
  const res = await postAcs(b, b64(serialize(doc)));
  await expectRefused(res, b, [eve, target]);
}

const assertionOf = (doc: Document) => el(doc, NS.saml, 'Assertion');
const signatureOf = (node: Element) => {
  for (let n = node.firstChild; n; n = n.nextSibling) if ((n as Element).localName === 'Signature') return n as Element;
  throw new Error('no signature');
};
/** Makes the assertion say `target` in the name and the admin group. */
function forge(assertion: Element, target: string) {
  el(assertion, NS.saml, 'NameID').textContent = target;
  for (const v of Array.from(assertion.getElementsByTagNameNS(NS.saml, 'AttributeValue'))) {
    v.textContent = v.textContent === 'nobody' ? 'platform-admins' : target;
  }
}
/** A clone of the signed assertion turned evil: forged identity, no signature, new ID unless kept. */
function evilClone(doc: Document, target: string, opts: { keepId?: boolean; keepSignature?: boolean } = {}): Element {
  const evil = assertionOf(doc).cloneNode(true) as Element;
  if (!opts.keepSignature) evil.removeChild(signatureOf(evil));
  if (!opts.keepId) evil.setAttribute('ID', `_evil${randomBytes(8).toString('hex')}`);
  forge(evil, target);
  return evil;
}

describe('SAML sign-in that works', () => {
  for (const sign of ['assertion', 'response', 'both'] as const) {
    it(`accepts a Response whose ${sign === 'both' ? 'assertion and Response are' : `${sign} is`} signed; the session says idp saml`, async () => {
      const { b, requestId } = await startLogin();
      const who = uniq('alice');
      const res = await postAcs(b, b64(valid(requestId, who, { sign, attributes: { email: [who], groups: ['engineers'] } })));
      expect(res.status).toBe(303);
      expect(res.location).toBe('/');
      const me = await b.me();
      expect(me.status).toBe(200);
      expect(me.json().user).toMatchObject({ email: who, subject: who, idp: 'saml', groups: ['engineers'] });
      expect(await sessionsOf(who)).toBe(1);
    });
  }

  it('reads single- and multi-valued groups exactly (no splitting, no case folding)', async () => {
    const { b, requestId } = await startLogin();
    const who = uniq('multi');
    const groups = ['engineers', 'auditors', 'Platform-Admins', 'a,b', ' spaced '];
    expect((await postAcs(b, b64(valid(requestId, who, { attributes: { email: [who], groups } })))).status).toBe(303);
    const me = (await b.me()).json();
    expect(me.user.groups).toEqual(groups);
    expect(me.roles).toEqual(['employee', 'auditor']);

    const single = await startLogin();
    const one = uniq('single');
    expect((await postAcs(single.b, b64(valid(single.requestId, one, { attributes: { email: [one], groups: ['dev,admins'] } })))).status).toBe(303);
    expect((await single.b.me()).json().user.groups).toEqual(['dev,admins']);
  });

  it('returns to the stored same-origin returnTo, never to a RelayState', async () => {
    const b = stack.browser();
    const start = await b.get(`/auth/login?provider=saml&returnTo=${encodeURIComponent('/console/111111111111/Developer')}`);
    const requestId = idp.requestIdOf(start.location!);
    const who = uniq('back');
    const res = await postAcs(b, b64(valid(requestId, who)), { RelayState: '//evil.example/' });
    expect(res.location).toBe('/console/111111111111/Developer');
  });

  it('falls back to the NameID for the email when the attribute is absent', async () => {
    const { b, requestId } = await startLogin();
    const who = uniq('noattr');
    expect((await postAcs(b, b64(valid(requestId, who, { attributes: { groups: ['x'] } })))).status).toBe(303);
    expect((await b.me()).json().user.email).toBe(who);
  });

  it('serves SP metadata with our entity id and ACS URL', async () => {
    const res = await stack.browser().get('/auth/saml/metadata');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`entityID="${stack.baseUrl}/auth/saml/metadata"`);
    expect(res.text).toContain(`Location="${stack.baseUrl}/auth/saml/acs"`);
  });

  it('offers both providers and shows a chooser without a provider', async () => {
    const providers = (await stack.browser().get('/auth/providers')).json().providers.map((p: { id: string }) => p.id);
    expect(providers).toEqual(['oidc', 'saml']);
    const chooser = await stack.browser().get('/auth/login?returnTo=%2Fx', { accept: 'text/html' });
    expect(chooser.status).toBe(200);
    expect(chooser.text).toContain('/auth/login?provider=saml&amp;returnTo=%2Fx');
    expect(chooser.text).toContain('/auth/login?provider=oidc');
    expect(chooser.text).not.toMatch(/<script|style=/);
  });
});

describe('signatures', () => {
  it('refuses a Response whose signature was removed', async () => {
    await attack((doc) => {
      const a = assertionOf(doc);
      a.removeChild(signatureOf(a));
    });
  });

  // Attack: SHA-1 collisions (SHAttered, chosen-prefix) let forged content
  // share a digest with what the IdP signed; a genuinely IdP-signed SHA-1
  // Response is refused so that no such forgery can ever verify.
  it.each([
    ['an RSA-SHA1 signature', { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }],
    ['a SHA-1 digest', { digest: 'http://www.w3.org/2000/09/xmldsig#sha1' }],
  ])('refuses %s even when it verifies against the IdP key', async (_name, algorithms) => {
    const { b, requestId } = await startLogin();
    const eve = uniq('eve');
    const res = await postAcs(b, b64(valid(requestId, eve, { algorithms })));
    await expectRefused(res, b, [eve]);
  });

  // Attack: a second `groups` attribute inside the signed assertion — SPs
  // disagree on which one counts, so the IdP and Rolegate would see different groups.
  it('refuses a signed assertion that names an attribute twice', async () => {
    const { b, requestId } = await startLogin();
    const eve = uniq('eve');
    const doc = parseXml(valid(requestId, eve, { sign: 'none' }));
    const statement = el(doc, NS.saml, 'AttributeStatement');
    const second = doc.createElementNS(NS.saml, 'saml:Attribute');
    second.setAttribute('Name', 'groups');
    const value = doc.createElementNS(NS.saml, 'saml:AttributeValue');
    value.textContent = 'platform-admins';
    second.appendChild(value);
    statement.appendChild(second);
    const res = await postAcs(b, b64(signXml(serialize(doc), 'assertion', idp.key)));
    await expectRefused(res, b, [eve]);
  });

  it('refuses content edited after signing', async () => {
    await attack((doc, { target }) => forge(assertionOf(doc), target));
  });

  it('refuses a Response whose own signature is broken even though the assertion signature verifies', async () => {
    await attack(
      // Only the Response's signature breaks (an attribute nobody checks); the assertion's still verifies.
      (doc) => doc.documentElement!.setAttribute('Consent', 'urn:oasis:names:tc:SAML:2.0:consent:obtained'),
      { sign: 'both' },
    );
  });

  it('refuses a Response re-signed with an attacker key whose certificate sits in KeyInfo', async () => {
    const attacker = generateSigningMaterial('Mallory');
    await attack((doc, { target }) => forge(assertionOf(doc), target), { key: attacker });
    // And without any edit: the key, not the content, is what is refused.
    const { b, requestId } = await startLogin();
    const who = uniq('keyinfo');
    await expectRefused(await postAcs(b, b64(valid(requestId, who, { key: attacker, sign: 'both' }))), b, [who]);
  });

  it('refuses a look-alike certificate with the same subject', async () => {
    const lookalike = generateSigningMaterial('Rolegate test SAML IdP');
    const { b, requestId } = await startLogin();
    const who = uniq('lookalike');
    await expectRefused(await postAcs(b, b64(valid(requestId, who, { key: lookalike }))), b, [who]);
  });

  it('refuses an extra SignedInfo', async () => {
    await attack((doc, { target }) => {
      const sig = signatureOf(assertionOf(doc));
      const signedInfo = el(sig, NS.ds, 'SignedInfo');
      sig.insertBefore(signedInfo.cloneNode(true), signedInfo);
      forge(assertionOf(doc), target);
    });
    await attack((doc) => {
      const sig = signatureOf(assertionOf(doc));
      sig.appendChild(el(sig, NS.ds, 'SignedInfo').cloneNode(true));
    });
  });

  it('refuses a comment inside DigestValue that carries the digest of forged content', async () => {
    await attack((doc, { target }) => {
      const original = assertionOf(doc);
      const evil = evilClone(doc, target, { keepId: true });
      // The digest of the forged assertion (same transforms and ID), whoever signs it.
      const holder = parseXml(`<samlp:Response xmlns:samlp="${NS.samlp}">${serialize(evil)}</samlp:Response>`);
      const forgedDigest = el(parseXml(signXml(serialize(holder), 'assertion', generateSigningMaterial('x'))), NS.ds, 'DigestValue').textContent!;
      const sig = signatureOf(original);
      const digest = el(sig, NS.ds, 'DigestValue');
      const realDigest = digest.textContent!;
      while (digest.firstChild) digest.removeChild(digest.firstChild);
      digest.appendChild(doc.createComment(forgedDigest));
      digest.appendChild(doc.createTextNode(realDigest));
      evil.insertBefore(sig, el(evil, NS.saml, 'Subject'));
      doc.documentElement!.replaceChild(evil, original);
    });
  });
});

describe('XML signature wrapping', () => {
  // Response-signed variants (XSW1, XSW2): the signed Response is kept somewhere, an evil one is the root.
  it('XSW1: evil Response at the root, the signed original inside its Signature', async () => {
    await attack(
      (doc, { target }) => {
        const original = doc.documentElement!;
        const evil = original.cloneNode(true) as Element;
        evil.setAttribute('ID', '_evilresponse');
        forge(el(evil, NS.saml, 'Assertion'), target);
        const evilSig = signatureOf(evil);
        const copy = original.cloneNode(true) as Element;
        copy.removeChild(signatureOf(copy));
        evilSig.appendChild(copy);
        doc.replaceChild(evil, original);
      },
      { sign: 'response' },
    );
  });

  it('XSW2: evil Response at the root, the signed original before its (detached) Signature', async () => {
    await attack(
      (doc, { target }) => {
        const original = doc.documentElement!;
        const evil = original.cloneNode(true) as Element;
        evil.setAttribute('ID', '_evilresponse');
        forge(el(evil, NS.saml, 'Assertion'), target);
        const copy = original.cloneNode(true) as Element;
        copy.removeChild(signatureOf(copy));
        evil.insertBefore(copy, signatureOf(evil));
        doc.replaceChild(evil, original);
      },
      { sign: 'response' },
    );
  });

  it('XSW3: unsigned evil assertion before the signed one', async () => {
    await attack((doc, { target }) => doc.documentElement!.insertBefore(evilClone(doc, target), assertionOf(doc)));
  });

  it('XSW4: evil assertion wrapping the signed one', async () => {
    await attack((doc, { target }) => {
      const original = assertionOf(doc);
      const evil = evilClone(doc, target);
      doc.documentElement!.replaceChild(evil, original);
      evil.appendChild(original);
    });
  });

  it('XSW5: evil assertion keeps the signature, an unsigned copy of the original appended to the Response', async () => {
    await attack((doc, { target }) => {
      const original = assertionOf(doc);
      const evil = evilClone(doc, target, { keepSignature: true });
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      doc.documentElement!.replaceChild(evil, original);
      doc.documentElement!.appendChild(copy);
    });
  });

  it('XSW6: evil assertion keeps the signature, the original inside that signature', async () => {
    await attack((doc, { target }) => {
      const original = assertionOf(doc);
      const evil = evilClone(doc, target, { keepSignature: true });
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      doc.documentElement!.replaceChild(evil, original);
      signatureOf(evil).appendChild(copy);
    });
  });

  it('XSW7: signed original inside Extensions, unsigned evil assertion in its place', async () => {
    await attack((doc, { target }) => {
      const original = assertionOf(doc);
      const evil = evilClone(doc, target);
      const ext = doc.createElementNS(NS.samlp, 'samlp:Extensions');
      doc.documentElement!.replaceChild(evil, original);
      ext.appendChild(original);
      doc.documentElement!.insertBefore(ext, evil);
    });
  });

  it('XSW8: evil assertion keeps the signature, the original (unsigned) in a ds:Object inside it', async () => {
    await attack((doc, { target }) => {
      const original = assertionOf(doc);
      const evil = evilClone(doc, target, { keepSignature: true });
      const copy = original.cloneNode(true) as Element;
      copy.removeChild(signatureOf(copy));
      const object = doc.createElementNS(NS.ds, 'ds:Object');
      object.appendChild(copy);
      signatureOf(evil).appendChild(object);
      doc.documentElement!.replaceChild(evil, original);
    });
  });

  it('refuses a forged assertion with the signed one hidden in its Advice', async () => {
    await attack((doc, { target }) => {
      const original = assertionOf(doc);
      const evil = evilClone(doc, target);
      const advice = doc.createElementNS(NS.saml, 'saml:Advice');
      doc.documentElement!.replaceChild(evil, original);
      advice.appendChild(original);
      evil.insertBefore(advice, el(evil, NS.saml, 'AttributeStatement'));
    });
  });

  it('refuses duplicate IDs (an evil assertion with the signed one’s ID)', async () => {
    await attack((doc, { target }) => doc.documentElement!.insertBefore(evilClone(doc, target, { keepId: true }), assertionOf(doc)));
    await attack((doc, { target }) => doc.documentElement!.appendChild(evilClone(doc, target, { keepId: true })));
  });

  it('refuses multiple root elements', async () => {
    const { b, requestId } = await startLogin();
    const eve = uniq('eve');
    const target = uniq('admin');
    const signed = valid(requestId, eve);
    const evilDoc = parseXml(signed);
    const a = assertionOf(evilDoc);
    a.removeChild(signatureOf(a));
    forge(a, target);
    await expectRefused(await postAcs(b, b64(serialize(evilDoc) + signed)), b, [eve, target]);
    await expectRefused(await postAcs(b, b64(signed + serialize(evilDoc))), b, [eve, target]);
  });
});

describe('comment and CDATA truncation: identity is always the full signed string', () => {
  const insertAfterPrefix = (doc: Document, node: Element, prefix: string, make: (rest: string) => Node) => {
    const full = node.textContent!;
    while (node.firstChild) node.removeChild(node.firstChild);
    node.appendChild(doc.createTextNode(prefix));
    node.appendChild(make(full.slice(prefix.length)));
  };

  for (const kind of ['comment', 'CDATA'] as const) {
    it(`NameID split by ${kind}: the user is the full NameID, never the prefix`, async () => {
      const { b, requestId } = await startLogin();
      const victim = uniq('victim');
      const full = `${victim}.evil.test`;
      const doc = parseXml(idp.responseXml({ inResponseTo: requestId, nameId: full, attributes: { groups: ['nobody'] } }));
      const nameId = el(doc, NS.saml, 'NameID');
      if (kind === 'comment') {
        const rest = nameId.textContent!.slice(victim.length);
        while (nameId.firstChild) nameId.removeChild(nameId.firstChild);
        nameId.appendChild(doc.createTextNode(victim));
        nameId.appendChild(doc.createComment(''));
        nameId.appendChild(doc.createTextNode(rest));
      } else {
        insertAfterPrefix(doc, nameId, victim, (rest) => doc.createCDATASection(rest));
      }
      const res = await postAcs(b, b64(serialize(doc)));
      expect(res.status).toBe(303);
      const me = (await b.me()).json();
      expect(me.user.subject).toBe(full);
      expect(me.user.email).toBe(full);
      expect(await sessionsOf(victim)).toBe(0);
      const users = await stack.sql.query(`SELECT count(*)::int AS n FROM users WHERE subject = $1 OR email = $1`, [victim]);
      expect(users.rows[0].n).toBe(0);
    });

    it(`group value split by ${kind}: the group is the full value, so no role of the prefix`, async () => {
      const { b, requestId } = await startLogin();
      const who = uniq('contractor');
      const doc = parseXml(idp.responseXml({ inResponseTo: requestId, nameId: who, attributes: { email: [who], groups: ['engineers-contractors'] } }));
      const value = Array.from(doc.getElementsByTagNameNS(NS.saml, 'AttributeValue')).find((v) => v.textContent === 'engineers-contractors')!;
      if (kind === 'comment') {
        while (value.firstChild) value.removeChild(value.firstChild);
        value.appendChild(doc.createTextNode('engineers'));
        value.appendChild(doc.createComment('x'));
        value.appendChild(doc.createTextNode('-contractors'));
      } else {
        insertAfterPrefix(doc, value, 'engineers', (rest) => doc.createCDATASection(rest));
      }
      expect((await postAcs(b, b64(serialize(doc)))).status).toBe(303);
      const me = (await b.me()).json();
      expect(me.user.groups).toEqual(['engineers-contractors']);
      expect((await b.get('/api/entitlements')).json().items).toEqual([]);
      const grant = await b.get('/console/111111111111/Developer');
      expect(grant.status).toBe(403);
      expect(stack.aws.countCalls('AssumeRole')).toBe(0);
    });
  }
});

describe('InResponseTo', () => {
  it('refuses an unknown InResponseTo', async () => {
    const { b } = await startLogin();
    const who = uniq('unknown');
    await expectRefused(await postAcs(b, b64(valid(`_${randomBytes(20).toString('hex')}`, who))), b, [who]);
  });

  it('refuses an unsolicited Response (no InResponseTo) while IdP-initiated sign-in is off', async () => {
    const { b } = await startLogin();
    const who = uniq('unsolicited');
    await expectRefused(await postAcs(b, b64(idp.responseXml({ nameId: who, inResponseTo: null }))), b, [who]);
  });

  it('refuses a Response for a request another browser started', async () => {
    const { requestId } = await startLogin();
    const thief = stack.browser();
    await thief.get('/auth/login?provider=saml');
    const who = uniq('stolen');
    await expectRefused(await postAcs(thief, b64(valid(requestId, who))), thief, [who]);
  });

  it('refuses a Response whose signed SubjectConfirmationData answers another request', async () => {
    const { b, requestId } = await startLogin();
    const other = await startLogin(stack.browser());
    const who = uniq('mismatch');
    await expectRefused(await postAcs(b, b64(valid(requestId, who, { scdInResponseTo: other.requestId }))), b, [who]);
    // The request id is single-use: the refused attempt consumed it... and a good Response for it fails now too.
    const again = await postAcs(b, b64(valid(requestId, who)));
    await expectRefused(again, b, [who]);
  });

  it('refuses a replay on the same instance and on a second instance sharing the database', async () => {
    const { b, requestId } = await startLogin();
    const who = uniq('replayed');
    const response = b64(valid(requestId, who));
    expect((await postAcs(b, response)).status).toBe(303);
    expect(await sessionsOf(who)).toBe(1);

    const sameBrowser = await postAcs(b, response);
    expect(sameBrowser.status).toBe(400);
    const other = stack.browser();
    await expectRefused(await postAcs(other, response), other, []);
    const instance = await stack.startInstance();
    const there = instance.browser();
    await expectRefused(await postAcs(there, response), there, []);
    expect(await sessionsOf(who)).toBe(1);
  });
});

describe('audience, destination, recipient, issuer, time', () => {
  const cases: [string, (requestId: string, who: string) => ResponseSpec][] = [
    ['wrong Audience', () => ({ audience: 'https://other-sp.example/metadata' })],
    ['wrong Destination', () => ({ destination: 'https://other-sp.example/acs' })],
    ['missing Destination', () => ({ destination: null })],
    ['wrong Recipient', () => ({ recipient: 'https://other-sp.example/acs' })],
    ['missing Recipient', () => ({ recipient: null })],
    ['wrong assertion Issuer', () => ({ issuer: 'https://other-idp.example' })],
    ['wrong Response Issuer', () => ({ responseIssuer: 'https://other-idp.example' })],
    ['expired assertion', () => ({ notOnOrAfter: new Date(Date.now() - 10 * 60_000), scdNotOnOrAfter: new Date(Date.now() - 10 * 60_000) })],
    ['expired subject confirmation', () => ({ scdNotOnOrAfter: new Date(Date.now() - 10 * 60_000) })],
    ['not yet valid', () => ({ notBefore: new Date(Date.now() + 10 * 60_000) })],
    ['missing Conditions NotOnOrAfter', () => ({ notOnOrAfter: null })],
    ['missing SubjectConfirmationData NotOnOrAfter', () => ({ scdNotOnOrAfter: null })],
    ['too old (IssueInstant beyond the maximum age)', () => ({ issueInstant: new Date(Date.now() - 3 * 3600_000) })],
    ['holder-of-key instead of bearer confirmation', () => ({ method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' })],
    ['non-success Status', () => ({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' })],
  ];
  for (const [name, spec] of cases) {
    it(`refuses ${name}`, async () => {
      const { b, requestId } = await startLogin();
      const who = uniq('cond');
      await expectRefused(await postAcs(b, b64(valid(requestId, who, spec(requestId, who)))), b, [who]);
    });
  }
});

describe('hostile XML', () => {
  /** Refused, with the reason logged (so the test names the check that stopped it, not a later one). */
  async function hostile(xml: string, reason: RegExp | null, code = 'LOGIN_FAILED') {
    const { b } = await startLogin();
    const logged = stack.logLines.length;
    await expectRefused(await postAcs(b, b64(xml)), b, [], code);
    if (reason) expect(stack.logLines.slice(logged).join('')).toMatch(reason);
  }

  it('refuses a DOCTYPE, an external entity and billion laughs before parsing', async () => {
    const { requestId } = await startLogin();
    const signed = valid(requestId, uniq('dtd'));
    await hostile(`<!DOCTYPE r>${signed}`, /DTDs are not accepted/);
    await hostile(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${signed.replace('alice', '&x;')}`, /DTDs are not accepted/);
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('');
    await hostile(`<!DOCTYPE r [<!ENTITY l0 "lol">${lol}]><r>&l9;</r>`, /DTDs are not accepted/);
  });

  it('refuses a deeply nested document and an oversized one quickly, and keeps serving', async () => {
    const { requestId } = await startLogin();
    const signed = valid(requestId, uniq('deep'));
    const depth = 10_000;
    await hostile(signed.replace('</saml:AttributeStatement>', `${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</saml:AttributeStatement>`), /nested too deeply/);
    // Over the ACS body limit: refused by the body parser.
    await hostile(signed.replace('</saml:AttributeStatement>', `<x>${'A'.repeat(1_000_000)}</x></saml:AttributeStatement>`), null, 'PAYLOAD_TOO_LARGE');
    // Under the body limit but over the document limit.
    await hostile(signed.replace('</saml:AttributeStatement>', `<x>${'A'.repeat(170_000)}</x></saml:AttributeStatement>`), /SAMLResponse too large/);
    // Many small elements.
    await hostile(signed.replace('</saml:AttributeStatement>', `${'<x/>'.repeat(20_000)}</saml:AttributeStatement>`), /too many elements/);

    // The process is alive and signs people in.
    const { b, requestId: next } = await startLogin();
    const who = uniq('after');
    expect((await postAcs(b, b64(valid(next, who)))).status).toBe(303);
  });

  it('refuses garbage: not base64, not XML, a form without SAMLResponse', async () => {
    const b = stack.browser();
    await expectRefused(await postAcs(b, '%%%not-base64'), b, []);
    await expectRefused(await postAcs(b, b64('<not-closed')), b, []);
    const empty = await b.request('POST', '/auth/saml/acs', { body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectRefused(empty, b, []);
  });

  it('answers a browser with an HTML page, not JSON', async () => {
    const b = stack.browser();
    const res = await b.request('POST', '/auth/saml/acs', {
      body: new URLSearchParams({ SAMLResponse: b64('<x/>') }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.text).toContain('LOGIN_FAILED');
    expect(res.text).not.toMatch(/<script/);
  });
});
