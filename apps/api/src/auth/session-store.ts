import { createHmac } from 'node:crypto';
import session from 'express-session';
import type { SessionRepository } from '@rolegate/db';

type Callback = (err?: unknown, value?: session.SessionData | null) => void;

/**
 * express-session store on Postgres (so every instance sees every session).
 * Rows are keyed by an HMAC of the session id: a database dump does not
 * contain usable cookie values.
 */
export class PostgresSessionStore extends session.Store {
  constructor(
    private readonly repo: SessionRepository,
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {
    super();
  }

  /** The database key for a session id. */
  key(sid: string): string {
    return createHmac('sha256', this.secret).update(sid).digest('base64url');
  }

  private expiry(sess: session.SessionData): Date {
    const cookieExpiry = sess.cookie?.expires ? new Date(sess.cookie.expires) : null;
    return cookieExpiry ?? new Date(Date.now() + this.ttlSeconds * 1000);
  }

  override get(sid: string, cb: Callback): void {
    this.repo.get(this.key(sid)).then(
      (entry) => cb(undefined, (entry?.data as session.SessionData | undefined) ?? null),
      (err: unknown) => cb(err),
    );
  }

  override set(sid: string, sess: session.SessionData, cb?: (err?: unknown) => void): void {
    const userId = sess.principal?.userId ?? null;
    this.repo.set(this.key(sid), JSON.parse(JSON.stringify(sess)) as Record<string, unknown>, this.expiry(sess), userId).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  /**
   * Sessions have an absolute lifetime (SESSION_TTL_SECONDS from sign-in):
   * activity does not extend them, so a stolen session cannot be kept alive,
   * and no request pays for a write it does not need.
   */
  override touch(_sid: string, _sess: session.SessionData, cb?: (err?: unknown) => void): void {
    cb?.();
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.repo.destroy(this.key(sid)).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }
}
