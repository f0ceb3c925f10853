import type { Response } from 'express';

/** Responses that carry credentials or sign-in URLs are never cached nor leak a referrer. */
export function noStore(res: Response) {
  res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache').set('Referrer-Policy', 'no-referrer');
}
