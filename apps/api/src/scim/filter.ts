import type { ScimEqFilter } from '@rolegate/db';
import { ScimError } from './errors.js';

const ATTRIBUTES: Record<string, ScimEqFilter['attribute']> = {
  username: 'username',
  externalid: 'externalid',
  displayname: 'displayname',
  id: 'id',
};

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i;

/**
 * Parses the filters IdPs send to find a resource before creating it:
 * `userName eq "x"`, `externalId eq "x"`, `displayName eq "x"` (and `id eq`).
 * Attribute names and `eq` are case-insensitive (RFC 7644 3.4.2.2); the value
 * is a JSON string. Anything else is refused rather than half-understood: a
 * filter we ignored would return every resource, and an IdP that then
 * "finds" the wrong person would link accounts wrongly.
 * @throws ScimError 400 invalidFilter
 */
export function parseFilter(filter: string | undefined): ScimEqFilter | null {
  if (filter === undefined || filter.trim() === '') return null;
  const m = /^\s*([A-Za-z][\w:.-]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i.exec(filter);
  if (!m) throw new ScimError(400, 'invalidFilter', 'Only filters of the form `attribute eq "value"` on userName, externalId, displayName or id are supported');
  const attribute = ATTRIBUTES[m[1]!.replace(CORE_PREFIX, '').toLowerCase()];
  if (!attribute) throw new ScimError(400, 'invalidFilter', `Filtering on "${m[1]}" is not supported (userName, externalId, displayName, id)`);
  let value: unknown;
  try {
    value = JSON.parse(m[2]!);
  } catch {
    throw new ScimError(400, 'invalidFilter', 'The filter value is not a valid string');
  }
  return { attribute, value: value as string };
}

/**
 * startIndex and count of a list request (RFC 7644 3.4.2.4): startIndex < 1
 * is 1; count < 0 is 0; count is capped at `max`.
 * @throws ScimError 400 invalidValue when either is not an integer
 */
export function parsePage(q: { startIndex?: unknown; count?: unknown }, max: number): { startIndex: number; count: number } {
  const int = (v: unknown, name: string, def: number) => {
    if (v === undefined || v === '') return def;
    if (typeof v !== 'string' || !/^-?\d{1,9}$/.test(v)) throw new ScimError(400, 'invalidValue', `${name} must be an integer`);
    return Number(v);
  };
  return { startIndex: Math.max(1, int(q.startIndex, 'startIndex', 1)), count: Math.min(max, Math.max(0, int(q.count, 'count', max))) };
}
