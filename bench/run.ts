/**
 * `npm run bench` (= `pnpm exec tsx bench/run.ts`): the grant path against
 * the AWS emulator, the bare baseline, start-up and idle RSS. Prints a
 * markdown table and writes it to bench/results.md.
 *
 * Flags: --quick (short runs while developing), --duration=S, --rounds=N, --connections=N,
 * --no-startup, --no-grants, --out=FILE.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './child.js';
import { benchGrantPath, type GrantPathResults, type RunResult } from './grant-path.js';
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
  quietSeconds: quick ? 3 : 8,
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

function grantRows(g: GrantPathResults, c: number): Row[] {
  const rows: Row[] = [];
  for (const kind of ['console', 'cli'] as const) {
    const r = g.rolegate[kind];
    const b = g.baseline[kind];
    const ratios = [...g.ratios[kind]].sort((x, y) => x - y);
    const pct = ratios[Math.floor((ratios.length - 1) / 2)]!;
    const spread = ratios.length > 1 ? ` (rounds: ${g.ratios[kind].map((v) => fmt(v, 0)).join(', ')} %)` : '';
    rows.push([`grant ${kind}, ${c} clients: throughput (median round)`, `${fmt(r.load.requestsPerSecond, 0)} grants/s`, '—', '—']);
    rows.push([`grant ${kind}, ${c} clients: latency p50 / p99`, `${r.load.latencyP50} / ${r.load.latencyP99} ms`, '—', '—']);
    rows.push([
      `baseline ${kind}, ${c} clients: throughput (median round)`,
      `${fmt(b.load.requestsPerSecond, 0)} req/s (p50 ${b.load.latencyP50} / p99 ${b.load.latencyP99} ms)`,
      '—',
      '—',
    ]);
    rows.push([`grant ${kind}: throughput vs baseline, median of rounds`, `${fmt(pct, 0)} %${spread}`, '≥ 70 %', yes(pct >= 70)]);
  }
  for (const [kind, t] of [
    ['console', g.traced.console],
    ['cli', g.traced.cli],
  ] as const) {
    const o = t.server.overheadMs;
    rows.push([
      `broker overhead ${kind}, ${c} clients: p50 / p99`,
      `${fmt(o.p50, 2)} / ${fmt(o.p99, 2)} ms`,
      '≤ 2 / ≤ 10 ms',
      `${yes(o.p50 <= 2)} / ${yes(o.p99 <= 10)}`,
    ]);
  }
  for (const [kind, t] of [
    ['console', g.traced.baselineConsole],
    ['cli', g.traced.baselineCli],
  ] as const) {
    const o = t.server.overheadMs;
    rows.push([`baseline's own overhead ${kind}, ${c} clients: p50 / p99 (mostly waiting for a CPU)`, `${fmt(o.p50, 2)} / ${fmt(o.p99, 2)} ms`, '—', '—']);
  }
  for (const [kind, t] of [
    ['console', g.traced.consoleQuiet],
    ['cli', g.traced.cliQuiet],
  ] as const) {
    const o = t.server.overheadMs;
    rows.push([
      `broker overhead ${kind}, 1 client: p50 / p99`,
      `${fmt(o.p50, 2)} / ${fmt(o.p99, 2)} ms`,
      '≤ 2 / ≤ 10 ms',
      `${yes(o.p50 <= 2)} / ${yes(o.p99 <= 10)}`,
    ]);
  }
  for (const [kind, t] of [
    ['console', g.traced.baselineConsoleQuiet],
    ['cli', g.traced.baselineCliQuiet],
  ] as const) {
    const o = t.server.overheadMs;
    rows.push([`baseline's own overhead ${kind}, 1 client: p50 / p99 (the floor: two durable writes)`, `${fmt(o.p50, 2)} / ${fmt(o.p99, 2)} ms`, '—', '—']);
  }
  return rows;
}

function startupRows(runs: StartupRun[]): Row[] {
  const rows: Row[] = [];
  const demo = runs.filter((r) => r.mode === 'demo');
  const fresh = demo.find((r) => r.dataDir === 'fresh');
  const warm = demo
    .filter((r) => r.dataDir === 'initialised')
    .map((r) => r.readyzMs)
    .sort((a, b) => a - b);
  if (fresh) rows.push(['start-up to ready, fresh DATA_DIR (initdb + migrations)', `${fmt(fresh.readyzMs / 1000, 2)} s`, '≤ 5 s', yes(fresh.readyzMs <= 5000)]);
  if (warm.length) {
    const median = warm[Math.floor((warm.length - 1) / 2)]!;
    rows.push([`start-up to ready, initialised DATA_DIR (median of ${warm.length})`, `${fmt(median / 1000, 2)} s`, '≤ 5 s', yes(median <= 5000)]);
  }
  const prod = runs.find((r) => r.mode === 'production');
  if (prod && prod.rssMb !== null) {
    rows.push([
      'idle RSS of the server process, production mode (embedded Postgres, no demo IdPs or emulator)',
      `${fmt(prod.rssMb, 0)} MB`,
      '≤ 150 MB',
      yes(prod.rssMb <= 150),
    ]);
  }
  const rss = demo.map((r) => r.rssMb).filter((v): v is number => v !== null);
  if (rss.length)
    rows.push(['idle RSS of the server process, demo mode (dev IdPs and AWS emulator in-process; max of runs)', `${fmt(Math.max(...rss), 0)} MB`, '—', '—']);
  return rows;
}

function detailTable(g: GrantPathResults): string {
  const lines = [
    '| run | grants/s | p50 ms | p99 ms | non-2xx / errors | server CPU ms per grant | event-loop utilisation | overhead p50 / p99 ms | AWS round trips p50 / p99 ms |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const add = (name: string, r: RunResult, traced: boolean) =>
    lines.push(
      `| ${name} | ${fmt(r.load.requestsPerSecond, 0)} | ${r.load.latencyP50} | ${r.load.latencyP99} | ${r.load.non2xx} / ${r.load.errors} | ${fmt(r.server.cpuMsPerRequest ?? Number.NaN, 2)} | ${fmt(r.server.eventLoopUtilization, 2)} | ` +
        (traced
          ? `${fmt(r.server.overheadMs.p50, 2)} / ${fmt(r.server.overheadMs.p99, 2)} | ${fmt(r.server.upstreamMs.p50, 2)} / ${fmt(r.server.upstreamMs.p99, 2)} |`
          : '— | — |'),
    );
  add('Rolegate cli', g.rolegate.cli, false);
  add('baseline cli', g.baseline.cli, false);
  add('Rolegate console', g.rolegate.console, false);
  add('baseline console', g.baseline.console, false);
  add('Rolegate cli, traced', g.traced.cli, true);
  add('Rolegate console, traced', g.traced.console, true);
  add('baseline cli, traced', g.traced.baselineCli, true);
  add('baseline console, traced', g.traced.baselineConsole, true);
  add('Rolegate cli, 1 client, traced', g.traced.cliQuiet, true);
  add('Rolegate console, 1 client, traced', g.traced.consoleQuiet, true);
  add('baseline cli, 1 client, traced', g.traced.baselineCliQuiet, true);
  add('baseline console, 1 client, traced', g.traced.baselineConsoleQuiet, true);
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
    details = detailTable(g);
    details += `\n\nAWS calls seen by the emulator during the untraced runs: ${Object.entries(g.awsCalls)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`;
  }
  if (!args.has('no-startup')) {
    const runs = await benchStartup({ warmStarts: quick ? 1 : 3, idleSeconds: quick ? 2 : 5, log });
    rows.push(...startupRows(runs));
    startupDetails = [
      '| mode | DATA_DIR | /readyz 200 after | "Rolegate is ready" logged after | RSS server process | RSS tsx launcher |',
      '|---|---|---|---|---|---|',
      ...runs.map(
        (r) =>
          `| ${r.mode} | ${r.dataDir} | ${fmt(r.readyzMs, 0)} ms | ${fmt(r.readyLogMs ?? Number.NaN, 0)} ms | ${fmt(r.rssMb ?? Number.NaN, 0)} MB | ${fmt(r.launcherRssMb ?? Number.NaN, 0)} MB |`,
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
      `${settings.rounds} interleaved round(s) of the four throughput runs; ` +
      'Rolegate, the baseline, and the AWS emulator + dev IdP each in their own Node process; one embedded PostgreSQL (fsync on).',
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
