/**
 * Start-up to ready and idle RSS: `tsx apps/api/src/main.ts` in demo mode
 * (embedded Postgres, in-process dev IdP and AWS emulator), first with a fresh
 * DATA_DIR (initdb + migrations), then with the initialised one.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
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
  /** VmRSS of the tsx launcher process (a separate, small Node process). */
  launcherRssMb: number | null;
}

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

/** Direct children of `pid` (the tsx CLI runs the script in a child Node process). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state ppid ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(name));
  }
  return out;
}

async function startOnce(dataDir: string, kind: StartupRun['dataDir'], idleSeconds: number, mode: StartupRun['mode'] = 'demo'): Promise<StartupRun> {
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
  const proc = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['apps/api/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const [server] = await childrenOf(proc.pid!);
    return {
      dataDir: kind,
      mode,
      readyLogMs,
      readyzMs,
      rssMb: server ? await rssMb(server) : await rssMb(proc.pid!),
      launcherRssMb: server ? await rssMb(proc.pid!) : null,
    };
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

/** One fresh start, then `warmStarts` starts on the initialised data folder. */
export async function benchStartup(opts: { warmStarts: number; idleSeconds: number; log: (line: string) => void }): Promise<StartupRun[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-bench-start-'));
  // Postgres runs as the `postgres` user when we are root; it must reach the folder.
  await chmod(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const runs: StartupRun[] = [];
  try {
    for (let i = 0; i <= opts.warmStarts; i++) {
      const run = await startOnce(dataDir, i === 0 ? 'fresh' : 'initialised', opts.idleSeconds);
      opts.log(
        `start-up (${run.mode}, ${run.dataDir}): /readyz 200 after ${run.readyzMs.toFixed(0)} ms, ready log after ${run.readyLogMs?.toFixed(0) ?? '?'} ms, RSS ${run.rssMb?.toFixed(0) ?? '?'} MB`,
      );
      runs.push(run);
    }
    // Production mode on the same (initialised) data: the process a deployment runs.
    const prod = await startOnce(dataDir, 'initialised', opts.idleSeconds, 'production');
    opts.log(`start-up (production, initialised): /readyz 200 after ${prod.readyzMs.toFixed(0)} ms, RSS ${prod.rssMb?.toFixed(0) ?? '?'} MB`);
    runs.push(prod);
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
  return runs;
}
