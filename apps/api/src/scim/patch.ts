import { ScimError } from './errors.js';

/*
 * RFC 7644 3.5.2 PATCH on a resource held as plain JSON, with the forms Okta
 * and Microsoft Entra ID really send:
 *
 * - `op` in any case ("replace", "Replace", "Add", "Remove");
 * - no `path` and an object `value` whose keys are attributes, dotted
 *   sub-attributes ("name.givenName") or an extension schema's URN;
 * - `path` as `attr`, `attr.sub`, `attr[sub eq "v"]`, `attr[sub eq "v"].sub`,
 *   optionally prefixed by a schema URN
 *   ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager");
 * - `remove` on a multi-valued path with a `value` naming the elements to
 *   drop (Entra removes group members this way; the RFC would use a filter);
 * - attribute names matched case-insensitively (RFC 7643 2.1).
 *
 * Pure: the caller loads the resource, applies, validates the result and stores it.
 */

export interface PatchOperation {
  op: string;
  path?: string | undefined;
  value?: unknown;
}

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE_URN = /^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i;
/** Extension schemas whose attributes live in an object under the schema's URN. */
export const EXTENSION_URNS = ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'];

type Json = Record<string, unknown>;
interface Filter {
  attribute: string;
  value: unknown;
}
interface Path {
  /** The object the attribute lives in: the resource or an extension's container. */
  container: string | null;
  attribute: string;
  filter: Filter | null;
  sub: string | null;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key of `obj` that names `name` in any case, or `name` itself. */
function keyOf(obj: Json, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name;
}

function parseFilter(text: string): Filter {
  const m = /^\s*([A-Za-z$][\w$]*)\s+eq\s+(.+?)\s*$/i.exec(text);
  if (!m) throw new ScimError(400, 'invalidPath', `Unsupported filter in path: [${text}] (only "attribute eq value")`);
  let value: unknown;
  try {
    value = JSON.parse(m[2]!);
  } catch {
    // Unquoted values (members[value eq 2819c223...]) are seen in the wild: take them as strings.
    value = m[2]!;
  }
  return { attribute: m[1]!, value };
}

/** @throws ScimError 400 invalidPath */
export function parsePath(raw: string): Path {
  let rest = raw.trim().replace(CORE_URN, '');
  let container: string | null = null;
  const ext = EXTENSION_URNS.find((u) => rest.toLowerCase().startsWith(`${u.toLowerCase()}:`));
  if (ext) {
    container = ext;
    rest = rest.slice(ext.length + 1);
  } else if (EXTENSION_URNS.some((u) => u.toLowerCase() === rest.toLowerCase())) {
    return { container: null, attribute: EXTENSION_URNS.find((u) => u.toLowerCase() === rest.toLowerCase())!, filter: null, sub: null };
  } else if (/^urn:/i.test(rest)) {
    throw new ScimError(400, 'invalidPath', `Unknown schema in path "${raw}"`);
  }
  const m = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z$][\w$-]*))?$/.exec(rest);
  if (!m) throw new ScimError(400, 'invalidPath', `Unsupported path "${raw}"`);
  return { container, attribute: m[1]!, filter: m[2] !== undefined ? parseFilter(m[2]) : null, sub: m[3] ?? null };
}

const sameScalar = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : String(a).toLowerCase() === String(b).toLowerCase();

function matches(el: unknown, f: Filter): boolean {
  return isObject(el) && sameScalar(el[keyOf(el, f.attribute)], f.value);
}

/** Identity of a multi-valued element for de-duplication: its `value` when it has one. */
function identity(el: unknown): string {
  if (isObject(el)) {
    const v = el[keyOf(el, 'value')];
    if (typeof v === 'string') return `v:${v.toLowerCase()}`;
  }
  return `j:${JSON.stringify(el)}`;
}

function appendAll(existing: unknown[], values: unknown[]): unknown[] {
  const seen = new Set(existing.map(identity));
  const out = [...existing];
  for (const v of values) {
    const id = identity(v);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(v);
    }
  }
  return out;
}

function containerOf(resource: Json, path: Path, create: boolean): Json | null {
  if (path.container === null) return resource;
  const k = keyOf(resource, path.container);
  if (!isObject(resource[k])) {
    if (!create) return null;
    resource[k] = {};
  }
  return resource[k] as Json;
}

function applyAt(resource: Json, op: 'add' | 'replace' | 'remove', path: Path, value: unknown): void {
  const target = containerOf(resource, path, op !== 'remove');
  if (!target) return;
  const key = keyOf(target, path.attribute);
  const current = target[key];

  if (path.filter) {
    const list = Array.isArray(current) ? current : [];
    const hits = list.filter((el) => matches(el, path.filter!));
    if (op === 'remove') {
      if (path.sub === null) target[key] = list.filter((el) => !matches(el, path.filter!));
      else for (const el of hits as Json[]) delete el[keyOf(el, path.sub)];
      return;
    }
    if (hits.length === 0) {
      // Nothing matched: add the element the filter describes (Entra replaces
      // emails[type eq "work"].value on a person who has no work email yet).
      const fresh: Json = { [path.filter.attribute]: path.filter.value };
      if (path.sub !== null) fresh[path.sub] = value;
      else if (isObject(value)) Object.assign(fresh, value);
      else throw new ScimError(400, 'invalidValue', `"${path.attribute}[...]" needs an object value`);
      target[key] = [...list, fresh];
      return;
    }
    for (const el of hits as Json[]) {
      if (path.sub !== null) el[keyOf(el, path.sub)] = value;
      else if (isObject(value)) for (const [k, v] of Object.entries(value)) el[keyOf(el, k)] = v;
      else throw new ScimError(400, 'invalidValue', `"${path.attribute}[...]" needs an object value`);
    }
    target[key] = list;
    return;
  }

  if (path.sub !== null) {
    if (Array.isArray(current)) throw new ScimError(400, 'invalidPath', `"${path.attribute}" is multi-valued: name an element with a filter`);
    if (!isObject(current)) {
      if (op === 'remove') return;
      target[key] = {};
    }
    applyAt(target[key] as Json, op, { container: null, attribute: path.sub, filter: null, sub: null }, value);
    return;
  }

  if (op === 'remove') {
    // Entra: remove members with a value listing the members to drop.
    if (value !== undefined && Array.isArray(current)) {
      const drop = new Set((Array.isArray(value) ? value : [value]).map(identity));
      target[key] = current.filter((el) => !drop.has(identity(el)));
    } else {
      delete target[key];
    }
    return;
  }
  if (op === 'add' && (Array.isArray(current) || Array.isArray(value))) {
    target[key] = appendAll(Array.isArray(current) ? current : current === undefined ? [] : [current], Array.isArray(value) ? value : [value]);
    return;
  }
  if (isObject(current) && isObject(value)) {
    // A complex attribute: the sub-attributes given replace theirs; the others stay (RFC 7644 3.5.2.1, 3.5.2.3).
    for (const [k, v] of Object.entries(value)) current[keyOf(current, k)] = v;
    return;
  }
  target[key] = value;
}

/**
 * Applies PatchOp `operations` to a copy of `resource` and returns it.
 * @throws ScimError 400 (invalidSyntax, invalidPath, invalidValue, noTarget)
 */
export function applyPatch<T extends Json>(resource: T, operations: readonly PatchOperation[]): T {
  const out = structuredClone(resource) as Json;
  for (const raw of operations) {
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw new ScimError(400, 'invalidSyntax', `Unsupported op "${String(raw.op)}" (add, replace or remove)`);
    const path = typeof raw.path === 'string' && raw.path.trim() !== '' ? raw.path : null;
    if (path === null) {
      if (op === 'remove') throw new ScimError(400, 'noTarget', 'remove needs a path');
      if (!isObject(raw.value)) throw new ScimError(400, 'invalidValue', `${op} without a path needs an object value`);
      for (const [k, v] of Object.entries(raw.value)) {
        const ext = EXTENSION_URNS.find((u) => u.toLowerCase() === k.toLowerCase());
        if (ext && isObject(v)) {
          for (const [ek, ev] of Object.entries(v)) applyAt(out, op, parsePath(`${ext}:${ek}`), ev);
        } else {
          // "name.givenName" as a key is a path (Entra sends those).
          applyAt(out, op, parsePath(k), v);
        }
      }
      continue;
    }
    if (op !== 'remove' && raw.value === undefined) throw new ScimError(400, 'invalidValue', `${op} needs a value`);
    applyAt(out, op, parsePath(path), raw.value);
  }
  return out as T;
}

/**
 * Checks a PATCH body's envelope and returns its operations.
 * @throws ScimError 400 invalidSyntax
 */
export function patchOperationsOf(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'The body must be a PatchOp object');
  const schemas = body[keyOf(body, 'schemas')];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())) {
    throw new ScimError(400, 'invalidSyntax', `schemas must contain ${PATCH_OP_SCHEMA}`);
  }
  const ops = body[keyOf(body, 'Operations')];
  if (!Array.isArray(ops) || ops.length === 0) throw new ScimError(400, 'invalidSyntax', 'Operations must be a non-empty array');
  if (ops.length > 1000) throw new ScimError(400, 'tooMany', 'At most 1000 operations per request');
  return ops.map((o) => {
    if (!isObject(o)) throw new ScimError(400, 'invalidSyntax', 'Each operation must be an object');
    const path = o[keyOf(o, 'path')];
    if (path !== undefined && typeof path !== 'string') throw new ScimError(400, 'invalidPath', 'path must be a string');
    return { op: String(o[keyOf(o, 'op')] ?? ''), path: path as string | undefined, value: o[keyOf(o, 'value')] };
  });
}
