import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A person who can sign in at the demo identity provider. */
export interface DemoUser {
  username: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
}

/** The demo people (without passwords); their groups match the demo role mappings. */
export const DEMO_USERS: ReadonlyArray<Omit<DemoUser, 'password'>> = Object.freeze([
  Object.freeze({ username: 'alice', email: 'alice@example.com', name: 'Alice Example', groups: Object.freeze(['engineers']) as string[] }),
  Object.freeze({ username: 'bob', email: 'bob@example.com', name: 'Bob Example', groups: Object.freeze(['platform-admins']) as string[] }),
  Object.freeze({ username: 'carol', email: 'carol@example.com', name: 'Carol Example', groups: Object.freeze(['auditors']) as string[] }),
  // Approvals: erin is on call and requests the roles that need approval; ada approves them.
  Object.freeze({ username: 'erin', email: 'erin@example.com', name: 'Erin Example', groups: Object.freeze(['engineers', 'oncall']) as string[] }),
  Object.freeze({ username: 'ada', email: 'ada@example.com', name: 'Ada Example', groups: Object.freeze(['approvers']) as string[] }),
]);

/** A fresh random url-safe password (16 characters from 12 random bytes). */
export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** The demo users, each with a new random password (no fixed demo passwords exist to leak). */
export function demoUsersWithRandomPasswords(): DemoUser[] {
  return DEMO_USERS.map((u) => ({ ...u, groups: [...u.groups], password: randomPassword() }));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

// Compared as fixed-length digests so neither the password's length nor its
// prefix leaks through timing.
function passwordsEqual(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * Returns the user whose username and password match, or undefined.
 * Unknown usernames still cost one comparison, so timing does not reveal which usernames exist.
 */
export function authenticate(users: readonly DemoUser[], username: string, password: string): DemoUser | undefined {
  const user = users.find((u) => u.username === username);
  const ok = passwordsEqual(user?.password ?? randomPassword(), password);
  return ok && user ? user : undefined;
}
