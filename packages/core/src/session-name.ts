import { createHash } from 'node:crypto';
import { isValidSessionName, SESSION_NAME_CHAR, SESSION_NAME_MAX_LENGTH } from '@rolegate/aws-names';

/** What a disambiguated name ends with: "-" and 12 hex characters of SHA-256. */
const DIGEST_SUFFIX = /-[0-9a-f]{12}$/;

/**
 * RoleSessionName / SourceIdentity for a person: 2–64 characters of
 * `[\w+=,.@-]`, derived only from the user's email (or login), so CloudTrail
 * names a person and the same person always gets the same name. Characters
 * AWS refuses become "-"; CR/LF and other control characters can therefore
 * never reach CloudTrail or our logs through this value.
 *
 * When that changes the identity (a refused character, more than 64
 * characters, fewer than 2), the name ends in "-" and 12 hex characters of
 * the SHA-256 of the whole identity. Without it two people collide:
 * o'brien@x and o-brien@x, or jürgen@x and jörgen@x, would get the same
 * SourceIdentity — the same person in CloudTrail, and one revocation by
 * SourceIdentity would hit both. An identity that is already valid but
 * happens to end like such a suffix is hashed too, so nobody can pick an
 * email that equals another person's disambiguated name.
 */
export function sessionNameFor(identity: string): string {
  let name = '';
  for (const ch of identity) name += SESSION_NAME_CHAR.test(ch) ? ch : '-';
  if (name === identity && isValidSessionName(name) && !DIGEST_SUFFIX.test(name)) return name;
  const digest = createHash('sha256').update(identity, 'utf8').digest('hex').slice(0, 12);
  return `${name.slice(0, SESSION_NAME_MAX_LENGTH - 13)}-${digest}`;
}
