const ALLOWED = /[\w+=,.@-]/;

/**
 * RoleSessionName / SourceIdentity for a person: 2–64 characters of
 * `[\w+=,.@-]`, derived only from the user's email (or login), so CloudTrail
 * names a person and the same person always gets the same name. Characters
 * AWS refuses become "-"; CR/LF and other control characters can therefore
 * never reach CloudTrail or our logs through this value.
 */
export function sessionNameFor(identity: string): string {
  let name = '';
  for (const ch of identity) name += ALLOWED.test(ch) ? ch : '-';
  name = name.slice(0, 64);
  // SourceIdentity may not start with "aws:"; ":" is already replaced, but a
  // name must still be at least 2 characters.
  if (name.length < 2) name = `u-${name}`.padEnd(2, '-');
  return name;
}

/** True when `value` is a valid RoleSessionName / SourceIdentity. */
export function isValidSessionName(value: string): boolean {
  return /^[\w+=,.@-]{2,64}$/.test(value);
}
