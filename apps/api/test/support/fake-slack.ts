import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  token: string | null;
  args: Record<string, unknown>;
}

/**
 * A stand-in for Slack's Web API at the edge (Slack itself cannot be
 * reached from tests): answers chat.postMessage, chat.update and users.info
 * the way Slack does (`{ ok, … }` JSON), records every call, and can be told
 * to fail the next calls (HTTP 500, or `ok: false`).
 */
export async function startFakeSlack(opts: { emails?: Record<string, string> } = {}) {
  const calls: SlackCall[] = [];
  const emails = { ...opts.emails };
  let failures: ('http' | 'error')[] = [];
  let seq = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
      let args: Record<string, unknown>;
      if ((req.headers['content-type'] ?? '').startsWith('application/json')) args = JSON.parse(raw || '{}') as Record<string, unknown>;
      else {
        args = {};
        for (const [k, v] of new URLSearchParams(raw)) {
          try {
            args[k] = k === 'blocks' || k === 'attachments' ? JSON.parse(v) : v;
          } catch {
            args[k] = v;
          }
        }
      }
      const auth = req.headers.authorization ?? null;
      calls.push({ method, token: auth?.replace(/^Bearer /, '') ?? null, args });
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      const failure = failures.shift();
      if (failure === 'http') return send(500, { ok: false, error: 'internal_error' });
      if (failure === 'error') return send(200, { ok: false, error: 'channel_not_found' });
      switch (method) {
        case 'chat.postMessage':
          seq += 1;
          return send(200, { ok: true, channel: args.channel, ts: `1700000000.${String(seq).padStart(6, '0')}`, message: { text: args.text } });
        case 'chat.update':
          return send(200, { ok: true, channel: args.channel, ts: args.ts, text: args.text });
        case 'users.info': {
          const id = String(args.user);
          if (!emails[id]) return send(200, { ok: false, error: 'user_not_found' });
          return send(200, { ok: true, user: { id, deleted: false, is_bot: false, profile: { email: emails[id] } } });
        }
        default:
          return send(200, { ok: false, error: 'unknown_method' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    calls,
    /** The next calls fail, in this order. */
    failNext: (...kinds: ('http' | 'error')[]) => {
      failures = kinds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
