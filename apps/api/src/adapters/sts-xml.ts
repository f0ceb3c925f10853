/**
 * A strict reader for the few XML documents STS answers with (the AWS Query
 * protocol): AssumeRoleResponse, GetCallerIdentityResponse and ErrorResponse.
 *
 * Strict means: one root element, every tag closed in order, attribute values
 * quoted, only the five predefined entities and numeric character references,
 * no DOCTYPE (so no entity expansion), nothing but whitespace or comments
 * outside the root. Anything else throws an {@link XmlError}, which the STS
 * adapter reports as a malformed answer. Namespaces are ignored (STS puts its
 * one default namespace on the root); element names are compared without a
 * prefix.
 */

/** An element: its name (without prefix), its child elements and its text. */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*')/y;
const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError('unterminated entity reference');
    if (ref in ENTITY) return ENTITY[ref]!;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    const code = m ? parseInt(m[1] ?? m[2]!, m[1] ? 16 : 10) : NaN;
    if (!(code >= 0x9 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`unknown entity &${ref};`);
    return String.fromCodePoint(code);
  });
}

const localName = (qname: string): string => qname.slice(qname.indexOf(':') + 1);

/** Parses a whole document and returns its root element. @throws XmlError */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let text = '';
  const n = xml.length;
  if (xml.startsWith('\uFEFF')) i = 1;
  if (xml.startsWith('<?xml', i)) {
    const end = xml.indexOf('?>', i);
    if (end < 0) throw new XmlError('unterminated XML declaration');
    i = end + 2;
  }
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const chunk = xml.slice(i, lt < 0 ? n : lt);
    if (stack.length > 0) text += chunk;
    else if (chunk.trim() !== '') throw new XmlError('text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (stack.length === 0) throw new XmlError('CDATA outside the root element');
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) throw new XmlError('unterminated CDATA section');
      // Kept as an already-decoded run: mark it so decodeText leaves it alone.
      text += xml.slice(i + 9, end).replace(/&/g, '&amp;');
      i = end + 3;
    } else if (xml.startsWith('<!', i) || xml.startsWith('<?', i)) {
      throw new XmlError('DOCTYPE and processing instructions are not accepted');
    } else if (xml.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(xml);
      const open = stack.pop();
      if (!m || !open || localName(m[0]) !== open.name) throw new XmlError('mismatched closing tag');
      let j = i + 2 + m[0].length;
      while (j < n && /\s/.test(xml[j]!)) j++;
      if (xml[j] !== '>') throw new XmlError('malformed closing tag');
      if (open.children.length === 0) open.text = decodeText(text);
      else if (text.trim() !== '') throw new XmlError('mixed content');
      text = '';
      i = j + 1;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (!m) throw new XmlError('malformed tag');
      let j = i + 1 + m[0].length;
      for (;;) {
        ATTRIBUTE.lastIndex = j;
        const a = ATTRIBUTE.exec(xml);
        if (!a) break;
        j += a[0].length;
      }
      while (j < n && /\s/.test(xml[j]!)) j++;
      const selfClosing = xml[j] === '/';
      if (selfClosing) j++;
      if (xml[j] !== '>') throw new XmlError('malformed tag');
      const parent = stack[stack.length - 1];
      if (parent) {
        if (text.trim() !== '') throw new XmlError('mixed content');
      } else if (root) throw new XmlError('more than one root element');
      text = '';
      const el: XmlElement = { name: localName(m[0]), children: [], text: '' };
      if (parent) parent.children.push(el);
      else root = el;
      if (!selfClosing) stack.push(el);
      i = j + 1;
    }
  }
  if (stack.length > 0 || !root) throw new XmlError('unexpected end of document');
  return root;
}

/** The first child with that name, or undefined. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** The text at a path of child names below `el`, or undefined. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | undefined {
  let cur = el;
  for (const name of path) cur = child(cur, name);
  return cur?.text;
}

/** What STS answered AssumeRole with. */
export interface AssumeRoleResult {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  assumedRoleArn: string | null;
  requestId: string | null;
}

/** An ISO 8601 timestamp as STS writes it; undefined when it is not one. */
function parseTimestamp(value: string | undefined): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(value.trim())) return undefined;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Reads an AssumeRoleResponse. @throws XmlError when it is not one or lacks a credential part. */
export function parseAssumeRoleResponse(xml: string): AssumeRoleResult {
  const root = parseXml(xml);
  if (root.name !== 'AssumeRoleResponse') throw new XmlError(`expected AssumeRoleResponse, got ${root.name}`);
  const credentials = child(child(root, 'AssumeRoleResult'), 'Credentials');
  const accessKeyId = textAt(credentials, 'AccessKeyId')?.trim();
  const secretAccessKey = textAt(credentials, 'SecretAccessKey')?.trim();
  const sessionToken = textAt(credentials, 'SessionToken')?.trim();
  const expiration = parseTimestamp(textAt(credentials, 'Expiration'));
  if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration) throw new XmlError('AssumeRole returned no credentials');
  return {
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiration,
    assumedRoleArn: textAt(root, 'AssumeRoleResult', 'AssumedRoleUser', 'Arn')?.trim() || null,
    requestId: textAt(root, 'ResponseMetadata', 'RequestId')?.trim() || null,
  };
}

/** Reads a GetCallerIdentityResponse: the caller's ARN. @throws XmlError */
export function parseCallerIdentityResponse(xml: string): { arn: string; requestId: string | null } {
  const root = parseXml(xml);
  if (root.name !== 'GetCallerIdentityResponse') throw new XmlError(`expected GetCallerIdentityResponse, got ${root.name}`);
  const arn = textAt(root, 'GetCallerIdentityResult', 'Arn')?.trim();
  if (!arn) throw new XmlError('GetCallerIdentity returned no ARN');
  return { arn, requestId: textAt(root, 'ResponseMetadata', 'RequestId')?.trim() || null };
}

/**
 * Reads STS's error document: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`
 * (some AWS front ends answer `<Response><Errors><Error>…` instead; both are read).
 * Undefined when the body is not such a document.
 */
export function parseErrorResponse(xml: string): { code: string; message: string; requestId: string | null } | undefined {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    return undefined;
  }
  const error = root.name === 'ErrorResponse' ? child(root, 'Error') : root.name === 'Response' ? child(child(root, 'Errors'), 'Error') : undefined;
  const code = textAt(error, 'Code')?.trim();
  if (!code) return undefined;
  return {
    code,
    message: textAt(error, 'Message')?.trim() ?? '',
    requestId: (textAt(root, 'RequestId') ?? textAt(root, 'RequestID'))?.trim() || null,
  };
}
