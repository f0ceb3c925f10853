import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny round-robin HTTP load balancer for tests: each request goes to the
 * next target in turn (no stickiness, like a plain L7 balancer), and
 * `served` counts how many requests each target answered.
 */
export async function startRoundRobin(initialTargets: string[] = []) {
  let targets = [...initialTargets];
  let next = 0;
  const served = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    if (targets.length === 0) {
      res.writeHead(503).end('no targets');
      return;
    }
    const target = new URL(targets[next++ % targets.length]!);
    served.set(target.origin, (served.get(target.origin) ?? 0) + 1);
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Replaces the backends (origins like http://127.0.0.1:1234). */
    setTargets(list: string[]) {
      targets = [...list];
    },
    served: (origin: string) => served.get(new URL(origin).origin) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
