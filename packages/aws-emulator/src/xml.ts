import { randomUUID } from 'node:crypto';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** Escapes text for XML element content and attribute values. */
export function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A nested element tree: string leaves are escaped, undefined leaves are left out. */
export interface XmlTree {
  [name: string]: string | XmlTree | undefined;
}

/** Renders an element tree as XML (no declaration). */
export function renderXml(tree: XmlTree): string {
  let out = '';
  for (const [name, value] of Object.entries(tree)) {
    if (value === undefined) continue;
    out += `<${name}>${typeof value === 'string' ? xmlEscape(value) : renderXml(value)}</${name}>`;
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

/** A fresh request id in AWS's UUID format. */
export const newRequestId = (): string => randomUUID();
