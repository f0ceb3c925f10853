import { randomUUID } from 'node:crypto';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Escapes text for XML element content and attribute values. */
export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A nested element tree: string leaves are escaped, undefined leaves are left out. */
export interface XmlTree {
  [name: string]: string | XmlTree | XmlTree[] | undefined;
}

/** Renders an element tree as XML (no declaration). */
export function renderXml(tree: XmlTree): string {
  let out = '';
  for (const [name, value] of Object.entries(tree)) {
    if (value === undefined) continue;
    // Query-protocol lists: <Name><member>…</member>…</Name>.
    const inner =
      typeof value === 'string' ? xmlEscape(value) : Array.isArray(value) ? value.map((m) => `<member>${renderXml(m)}</member>`).join('') : renderXml(value);
    out += `<${name}>${inner}</${name}>`;
  }
  return out;
}

/** Builds an STS success document `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…`. */
export function stsSuccessXml(action: string, result: XmlTree, requestId: string): string {
  return (
    `<${action}Response xmlns="${STS_NS}">` +
    `<${action}Result>${renderXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata>` +
    `</${action}Response>\n`
  );
}

/** Builds STS's `<ErrorResponse>` document. */
export function stsErrorXml(type: string, code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${STS_NS}">` +
    renderXml({ Error: { Type: type, Code: code, Message: message } }) +
    `<RequestId>${xmlEscape(requestId)}</RequestId></ErrorResponse>\n`
  );
}

/** Builds an IAM success document; actions without output (e.g. AttachRolePolicy) carry only ResponseMetadata. */
export function iamSuccessXml(action: string, result: XmlTree | undefined, requestId: string): string {
  return (
    `<${action}Response xmlns="${IAM_NS}">` +
    (result ? `<${action}Result>${renderXml(result)}</${action}Result>` : '') +
    `<ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata>` +
    `</${action}Response>\n`
  );
}

/** Builds IAM's `<ErrorResponse>` document. */
export function iamErrorXml(type: string, code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${IAM_NS}">` +
    renderXml({ Error: { Type: type, Code: code, Message: message } }) +
    `<RequestId>${xmlEscape(requestId)}</RequestId></ErrorResponse>\n`
  );
}

/** Builds an S3 REST-XML document with its namespace on the root element. */
export function s3Xml(root: string, tree: XmlTree): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NS}">${renderXml(tree)}</${root}>\n`;
}

/** Builds S3's `<Error>` document (S3 errors carry no namespace). */
export function s3ErrorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${renderXml({ Code: code, Message: message, RequestId: requestId, HostId: requestId })}</Error>\n`;
}

/** A fresh request id in AWS's UUID format. */
export const newRequestId = (): string => randomUUID();
