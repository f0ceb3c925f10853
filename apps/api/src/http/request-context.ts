import type { Request } from 'express';

/** What the grant service records about the caller: address, user agent (cut at 512 characters), and whether the client left. */
export function requestContext(req: Request) {
  return {
    clientIp: req.ip ?? null,
    userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
    // The socket closes when the client leaves (HTTP/1.1); credentials must not be recorded as delivered then.
    isClientGone: () => req.socket.destroyed,
  };
}
