/**
 * `npm run bench` (= `pnpm exec tsx bench/run.ts`): the grant path against
 * the AWS emulator, the bare baseline, start-up and idle RSS. Prints a
 * markdown table and writes it to bench/results.md.
 *
 * Flags: --quick (short runs while developing), --duration=S, --rounds=N, --connections=N,
 * --users=N (distinct users, default 200), --traced (per-request overhead runs),
 * --no-startup, --no-grants, --out=FILE.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './child.js';
import { benchGrantPath, KINDS, key, SERVERS, USER_MIXES, type GrantPathResults, type RunResult } from './grant-path.js';
import { fmt } from './stats.js';
import { benchStartup, type StartupRun } from './startup.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }),
);
const quick = args.has('quick');
const settings = {
  connections: Number(args.get('connections') ?? 50),
  durationSeconds: Number(args.get('duration') ?? (quick ? 4 : 10)),
  rounds: Number(args.get('rounds') ?? (quick ? 1 : 3)),
  warmupSeconds: quick ? 2 : 5,
  quietSeconds: Number(args.get('quiet') ?? (quick ? 3 : 6)),
  distinctUsers: Number(args.get('users') ?? 200),
  traced: args.has('traced'),
};
const out = path.resolve(ROOT, args.get('out') ?? 'bench/results.md');
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpus: os.availableParallelism(),
    model: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    memoryGb: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
  };
}

type Row = [metric: string, value: string, goal: string, met: string];
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};
const rps = (r: RunResult) => r.load.requestsPerSecond;
const perCpuSecond = (r: RunResult) => (r.server.cpuMsPerRequest ? 1000 / r.server.cpuMsPerRequest : Number.NaN);

function grantRows(g: GrantPathResults, c: number): Row[] {
  const rows: Row[] = [];
  for (const kind of KINDS) {
    for (const mix of USER_MIXES) {
      const series = g.rounds[key(kind, mix)];
      const who = mix === 'hot' ? '1 user' : `${g.distinctUsers} users`;
      const vsFloor = series.rolegate.map((r, i) => rps(r) / rps(series.floor[i]!));
      const vsBaseline = series.rolegate.map((r, i) => rps(r) / rps(series.baseline[i]!));
      const floorOverBaseline = series.baseline.map((r, i) => rps(r) / rps(series.floor[i]!));
      const spread = (xs: number[]) => (xs.length > 1 ? ` (rounds: ${xs.map((v) => fmt(v, 2)).join(', ')})` : '');
      const med = (server: 'rolegate' | 'baseline' | 'floor', f: (r: RunResult) => number) => median(series[server].map(f));
      rows.push([
        `${kind}, ${who}, ${c} clients: grants/s Rolegate / baseline / floor (median of rounds)`,
        `${fmt(med('rolegate', rps), 0)} / ${fmt(med('baseline', rps), 0)} / ${fmt(med('floor', rps), 0)}`,
        '—',
        '—',
      ]);
      rows.push([`${kind}, ${who}: Rolegate ÷ floor, median of rounds`, `${fmt(median(vsFloor), 2)}${spread(vsFloor)}`, '≥ 0.80', yes(median(vsFloor) >= 0.8)]);
      rows.push([`${kind}, ${who}: Rolegate ÷ baseline (real grant table), median of rounds`, `${fmt(median(vsBaseline), 2)}${spread(vsBaseline)}`, '—', '—']);
      rows.push([`${kind}, ${who}: baseline ÷ floor (cost of the grant table), median of rounds`, `${fmt(median(floorOverBaseline), 2)}`, '—', '—']);
      rows.push([
        `${kind}, ${who}, ${c} clients: latency p50 / p99 Rolegate; floor`,
        `${fmt(
          med('rolegate', (r) => r.load.latencyP50),
          0,
        )} / ${fmt(
          med('rolegate', (r) => r.load.latencyP99),
          0,
        )} ms; ${fmt(
          med('floor', (r) => r.load.latencyP50),
          0,
        )} / ${fmt(
          med('floor', (r) => r.load.latencyP99),
          0,
        )} ms`,
        '—',
        '—',
      ]);
      rows.push([
        `${kind}, ${who}: grants per CPU-second of the server process, Rolegate / baseline / floor`,
        `${fmt(med('rolegate', perCpuSecond), 0)} / ${fmt(med('baseline', perCpuSecond), 0)} / ${fmt(med('floor', perCpuSecond), 0)}`,
        '—',
        '—',
      ]);
      if (kind === 'console' && mix === 'many') {
        const rss = Math.max(...series.rolegate.map((r) => r.server.rssMb));
        rows.push([`RSS of the Rolegate process under load (${c} clients, ${who}; max of rounds)`, `${fmt(rss, 0)} MB`, '—', '—']);
      }
      rows.push([
        `${kind}, ${who}: Postgres statements (round trips) per grant, Rolegate / baseline / floor`,
        `${fmt(
          med('rolegate', (r) => r.server.queriesPerRequest ?? Number.NaN),
          2,
        )} / ${fmt(
          med('baseline', (r) => r.server.queriesPerRequest ?? Number.NaN),
          2,
        )} / ${fmt(
          med('floor', (r) => r.server.queriesPerRequest ?? Number.NaN),
          2,
        )}`,
        '—',
        '—',
      ]);
    }
    const one = g.oneClient[kind];
    const p = (server: 'rolegate' | 'baseline' | 'floor', q: 'p50' | 'p99') => median(one[server].map((r) => r.load.latencyMs[q]));
    rows.push([
      `${kind}, 1 client: latency p50 Rolegate; baseline; floor (median of rounds)`,
      `${fmt(p('rolegate', 'p50'), 2)}; ${fmt(p('baseline', 'p50'), 2)}; ${fmt(p('floor', 'p50'), 2)} ms`,
      '≤ floor + 1 ms',
      yes(p('rolegate', 'p50') <= p('floor', 'p50') + 1),
    ]);
    rows.push([
      `${kind}, 1 client: latency p99 Rolegate; baseline; floor (median of rounds)`,
      `${fmt(p('rolegate', 'p99'), 2)}; ${fmt(p('baseline', 'p99'), 2)}; ${fmt(p('floor', 'p99'), 2)} ms`,
      '≤ floor + 5 ms',
      yes(p('rolegate', 'p99') <= p('floor', 'p99') + 5),
    ]);
  }
  for (const t of g.traced) {
    const o = t.result.server.overheadMs;
    if (t.name.startsWith('rolegate'))
      rows.push([
        `broker overhead, ${t.name.replace(/^rolegate /, '')}: p50 / p99`,
        `${fmt(o.p50, 2)} / ${fmt(o.p99, 2)} ms`,
        '≤ 2 / ≤ 10 ms',
        `${yes(o.p50 <= 2)} / ${yes(o.p99 <= 10)}`,
      ]);
    else rows.push([`floor's own overhead, ${t.name.replace(/^floor /, '')}: p50 / p99`, `${fmt(o.p50, 2)} / ${fmt(o.p99, 2)} ms`, '—', '—']);
  }
  return rows;
}

function startupRows(runs: StartupRun[]): Row[] {
  const rows: Row[] = [];
  const fresh = runs.find((r) => r.dataDir === 'fresh');
  if (fresh)
    rows.push([
      'start-up to ready, demo, fresh DATA_DIR (initdb + migrations), compiled',
      `${fmt(fresh.readyzMs / 1000, 2)} s`,
      '≤ 5 s',
      yes(fresh.readyzMs <= 5000),
    ]);
  for (const runner of ['dist', 'dist --enable-source-maps', 'tsx'] as const) {
    const prod = runs.filter((r) => r.mode === 'production' && r.runner === runner);
    if (!prod.length) continue;
    const ready = median(prod.map((r) => r.readyzMs));
    const rss = median(prod.map((r) => r.rssMb ?? Number.NaN));
    const what = runner === 'dist' ? 'compiled (npm start, Docker)' : runner === 'tsx' ? 'TypeScript through tsx (before)' : 'compiled, --enable-source-maps';
    rows.push([
      `start-up to /readyz, production, initialised DATA_DIR, ${what} (median of ${prod.length})`,
      `${fmt(ready / 1000, 2)} s`,
      runner === 'dist' ? '≤ 2 s' : '—',
      runner === 'dist' ? yes(ready <= 2000) : '—',
    ]);
    rows.push([
      `idle RSS of the server process, production, ${what} (median of ${prod.length})`,
      `${fmt(rss, 0)} MB`,
      runner === 'dist' ? '≤ 150 MB' : '—',
      runner === 'dist' ? yes(rss <= 150) : '—',
    ]);
  }
  const demo = runs.filter((r) => r.mode === 'demo' && r.dataDir === 'initialised');
  if (demo.length)
    rows.push([
      'idle RSS of the server process, demo mode (dev IdPs and AWS emulator in-process), compiled',
      `${fmt(median(demo.map((r) => r.rssMb ?? Number.NaN)), 0)} MB`,
      '—',
      '—',
    ]);
  return rows;
}

function detailTable(g: GrantPathResults, c: number): string {
  const lines = [
    '| run | round | grants/s | p50 ms | p99 ms | non-2xx / errors | server CPU ms per grant | statements per grant | event-loop utilisation |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const kind of KINDS) {
    for (const mix of USER_MIXES) {
      for (const server of SERVERS) {
        g.rounds[key(kind, mix)][server].forEach((r, i) =>
          lines.push(
            `| ${server} ${kind}, ${mix === 'hot' ? '1 user' : `${g.distinctUsers} users`}, ${c} clients | ${i + 1} | ${fmt(r.load.requestsPerSecond, 0)} | ${r.load.latencyP50} | ${r.load.latencyP99} | ${r.load.non2xx} / ${r.load.errors} | ` +
              `${fmt(r.server.cpuMsPerRequest ?? Number.NaN, 2)} | ${fmt(r.server.queriesPerRequest ?? Number.NaN, 2)} | ${fmt(r.server.eventLoopUtilization, 2)} |`,
          ),
        );
      }
    }
    for (const server of SERVERS) {
      g.oneClient[kind][server].forEach((r, i) =>
        lines.push(
          `| ${server} ${kind}, 1 client | ${i + 1} | ${fmt(r.load.requestsPerSecond, 0)} | ${fmt(r.load.latencyMs.p50, 2)} | ${fmt(r.load.latencyMs.p99, 2)} | 0 / ${r.load.failed} | ` +
            `${fmt(r.server.cpuMsPerRequest ?? Number.NaN, 2)} | ${fmt(r.server.queriesPerRequest ?? Number.NaN, 2)} | ${fmt(r.server.eventLoopUtilization, 2)} |`,
        ),
      );
    }
  }
  for (const t of g.traced) {
    const r = t.result;
    lines.push(
      `| ${t.name} (overhead p50 / p99 ${fmt(r.server.overheadMs.p50, 2)} / ${fmt(r.server.overheadMs.p99, 2)} ms) | — | ${fmt(r.load.requestsPerSecond, 0)} | ${r.load.latencyP50} | ${r.load.latencyP99} | ${r.load.non2xx} / ${r.load.errors} | ` +
        `${fmt(r.server.cpuMsPerRequest ?? Number.NaN, 2)} | ${fmt(r.server.queriesPerRequest ?? Number.NaN, 2)} | ${fmt(r.server.eventLoopUtilization, 2)} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const m = machine();
  const loadBefore = os.loadavg();
  const started = new Date();
  log(`machine: ${m.cpus} CPUs, ${m.model}, Node ${m.node}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
  const rows: Row[] = [];
  let details = '';
  let startupDetails = '';
  if (!args.has('no-grants')) {
    const g = await benchGrantPath({ ...settings, log });
    rows.push(...grantRows(g, settings.connections));
    details = detailTable(g, settings.connections);
    details += `\n\nAWS calls seen by the emulator during the untraced runs: ${Object.entries(g.awsCalls)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`;
  }
  if (!args.has('no-startup')) {
    const runs = await benchStartup({ rounds: quick ? 1 : 3, idleSeconds: quick ? 2 : 5, log });
    rows.push(...startupRows(runs));
    startupDetails = [
      '| mode | DATA_DIR | how | /readyz 200 after | "Rolegate is ready" logged after | RSS server process |',
      '|---|---|---|---|---|---|',
      ...runs.map(
        (r) =>
          `| ${r.mode} | ${r.dataDir} | ${r.runner} | ${fmt(r.readyzMs, 0)} ms | ${fmt(r.readyLogMs ?? Number.NaN, 0)} ms | ${fmt(r.rssMb ?? Number.NaN, 0)} MB |`,
      ),
    ].join('\n');
  }
  const loadAfter = os.loadavg();

  const table = ['| metric | value | goal | met? |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  const machineLine =
    `Machine: ${m.cpus} CPUs (${m.model}), ${fmt(m.memoryGb, 1)} GB RAM, ${m.kernel}, Node ${m.node}. ` +
    `Load average (1/5/15 min) before: ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after: ${loadAfter.map((l) => l.toFixed(2)).join(' / ')}.`;
  const report = [
    '# Rolegate benchmark results',
    '',
    `Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` — ${started.toISOString()}`,
    '',
    machineLine,
    '',
    `Load: autocannon, ${settings.connections} connections, ${settings.durationSeconds} s per run after ${settings.warmupSeconds} s warm-up, ` +
      `${settings.rounds} interleaved round(s), each running every server (order rotating) for console and CLI grants, one hot user and ${settings.distinctUsers} distinct users, ` +
      `then ${settings.quietSeconds} s of one client (one request at a time, timed with performance.now()); ` +
      'Rolegate, the baseline (bare route, real grant table), the floor (bare route, narrow table with only a primary key), and the AWS emulator + dev IdP each in their own Node process; one embedded PostgreSQL (fsync on).',
    '',
    table,
    '',
    details ? `## Grant path, per run\n\n${details}\n` : '',
    startupDetails ? `## Start-up (embedded PostgreSQL; demo and production mode)\n\n${startupDetails}\n` : '',
    'How to read it: see bench/README.md.',
    '',
  ].join('\n');
  writeFileSync(out, report);
  process.stdout.write(`${report}\n`);
  log(`written to ${path.relative(ROOT, out)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
