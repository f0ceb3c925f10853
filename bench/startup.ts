/**
 * Start-up to ready and idle RSS of the server process, with embedded
 * Postgres: the compiled service (`node apps/api/dist/main.js`, what `npm
 * start` and the Docker image run; built here first), the same with
 * `--enable-source-maps`, and the TypeScript sources through tsx
 * (`node --import tsx apps/api/src/main.ts`, one process) for comparison.
 * Demo mode (in-process dev IdP and AWS emulator) with a fresh DATA_DIR
 * (initdb + migrations) first, then production mode (an OIDC IdP configured,
 * discovered lazily) on the initialised one, in interleaved rounds.
 */
import { spawnSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../packages/db/src/index.js';
import { ROOT } from './child.js';

export interface StartupRun {
  dataDir: 'fresh' | 'initialised';
  /** demo: the dev IdPs and the AWS emulator run in the process; production: only Rolegate (an OIDC IdP configured, discovered lazily). */
  mode: 'demo' | 'production';
  /** Spawn → the "Rolegate is ready" log line. */
  readyLogMs: number | null;
  /** Spawn → first 200 from /readyz. */
  readyzMs: number;
  /** VmRSS of the Node process running main.ts after `idleSeconds` idle. */
  rssMb: number | null;
  /** How the service ran. */
  runner: Runner;
}

export type Runner = 'dist' | 'dist --enable-source-maps' | 'tsx';
const COMMANDS: Record<Runner, string[]> = {
  dist: ['apps/api/dist/main.js'],
  'dist --enable-source-maps': ['--enable-source-maps', 'apps/api/dist/main.js'],
  tsx: ['--import', 'tsx', 'apps/api/src/main.ts'],
};

/** VmRSS of a process in MB, from /proc/<pid>/status. */
async function rssMb(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * One start of the service on `dataDir`: time to ready and VmRSS after `idleSeconds` idle.
 * `command` (node's arguments, from the repository root) defaults to the runner's.
 */
export async function startOnce(
  dataDir: string,
  kind: StartupRun['dataDir'],
  idleSeconds: number,
  mode: StartupRun['mode'],
  runner: Runner,
  command: string[] = COMMANDS[runner],
): Promise<StartupRun> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    ROLEGATE_DEMO: mode === 'demo' ? '1' : '0',
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    ...(mode === 'production'
      ? {
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
          OIDC_ISSUER: 'http://127.0.0.1:9/never-contacted-at-start',
          OIDC_CLIENT_ID: 'rolegate',
          OIDC_CLIENT_SECRET: 'bench-client-secret',
        }
      : {}),
  };
  const t0 = performance.now();
  const proc = spawn(process.execPath, command, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let readyLogMs: number | null = null;
  let output = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (readyLogMs === null && output.includes('Rolegate is ready')) readyLogMs = performance.now() - t0;
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let exited = false;
  proc.once('exit', () => (exited = true));
  try {
    let readyzMs: number | null = null;
    while (readyzMs === null) {
      if (exited) throw new Error(`main.ts exited before it was ready:\n${output.slice(-2000)}`);
      if (performance.now() - t0 > 120_000) throw new Error(`main.ts not ready after 120 s:\n${output.slice(-2000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) readyzMs = performance.now() - t0;
      else await sleep(25);
    }
    await sleep(idleSeconds * 1000);
    return { dataDir: kind, mode, readyLogMs, readyzMs, rssMb: await rssMb(proc.pid!), runner };
  } finally {
    if (!exited) {
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(force);
    }
  }
}

/** Builds apps/api/dist, one fresh demo start, then `rounds` interleaved production starts of each runner and one demo start. */
export async function benchStartup(opts: { rounds: number; idleSeconds: number; log: (line: string) => void }): Promise<StartupRun[]> {
  const build = spawnSync(process.execPath, ['apps/api/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`apps/api/build.mjs failed: ${build.stderr}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-bench-start-'));
  // Postgres runs as the `postgres` user when we are root; it must reach the folder.
  await chmod(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const runs: StartupRun[] = [];
  const record = (run: StartupRun) => {
    opts.log(`start-up (${run.mode}, ${run.dataDir}, ${run.runner}): /readyz 200 after ${run.readyzMs.toFixed(0)} ms, RSS ${run.rssMb?.toFixed(0) ?? '?'} MB`);
    runs.push(run);
  };
  try {
    record(await startOnce(dataDir, 'fresh', opts.idleSeconds, 'demo', 'dist'));
    for (let round = 0; round < opts.rounds; round++) {
      for (const runner of Object.keys(COMMANDS) as Runner[]) record(await startOnce(dataDir, 'initialised', opts.idleSeconds, 'production', runner));
    }
    record(await startOnce(dataDir, 'initialised', opts.idleSeconds, 'demo', 'dist'));
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
  return runs;
}
