import type { Request, Response } from 'express';

/**
 * True when the person authenticated at the IdP within `maxAgeSeconds`.
 * A session whose IdP never said when (no auth_time / AuthnInstant) is not
 * fresh. Stops the phishing of approvals: a victim signed in hours ago who
 * is lured to an approval page must prove it is them, now, at the IdP —
 * an unattended browser or a stolen session cookie is not enough.
 */
export function isFreshSignIn(authTime: string | undefined, nowMs: number, maxAgeSeconds: number): boolean {
  if (!authTime) return false;
  const at = Date.parse(authTime);
  return Number.isFinite(at) && nowMs - at <= maxAgeSeconds * 1000 && at <= nowMs + 60_000;
}

/** Marks a page URL as reached after a step-up sign-in, so a still-stale session gets an error page instead of a loop. */
const STEPPED = 'stepped';

/**
 * For pages that need a fresh sign-in: returns true when the session's IdP
 * authentication is recent; otherwise sends the browser through the IdP
 * (OIDC max_age / SAML ForceAuthn) back to this page and returns false. If the
 * page was already reached through such a step-up and is still not fresh
 * (an IdP that ignores max_age or ForceAuthn), `onStillStale` answers instead.
 */
export function requireFreshSignIn(req: Request, res: Response, maxAgeSeconds: number, onStillStale: () => void): boolean {
  if (isFreshSignIn(req.session?.authTime, Date.now(), maxAgeSeconds)) return true;
  if (req.query[STEPPED] === '1') {
    onStillStale();
    return false;
  }
  const back = new URL(req.originalUrl, 'http://x');
  back.searchParams.set(STEPPED, '1');
  const provider = req.session?.principal?.idp ?? 'oidc';
  res.set('Cache-Control', 'no-store').redirect(302, `/auth/login?provider=${provider}&fresh=1&returnTo=${encodeURIComponent(back.pathname + back.search)}`);
  return false;
}
