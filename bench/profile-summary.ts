/**
 * Summarises a V8 CPU profile (`--cpu-prof`, e.g. BENCH_CPU_PROF=<dir> npm
 * run bench) as markdown: self time by package / source area and the top
 * functions by self time. `pnpm exec tsx bench/profile-summary.ts <file.cpuprofile> [top]`
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package name, one of our folders, or Node/V8. */
function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm) return pnpm[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const ours = /\/(apps\/[^/]+\/src\/[^/]+|packages\/[^/]+\/src|bench)\//.exec(url);
  return ours ? ours[1]! : url.replace(/^file:\/\//, '');
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, t] of self) {
  const f = byId.get(id)!.callFrame;
  if (f.functionName === '(idle)') continue;
  const area = areaOf(f.url, f.functionName);
  areas.set(area, (areas.get(area) ?? 0) + t);
  const name = `${f.functionName || '(anonymous)'} — ${area}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  fns.set(name, (fns.get(name) ?? 0) + t);
}
const pct = (t: number) => `${((100 * t) / busy).toFixed(1)} %`;
const rows = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => `| ${k.replace(/\|/g, '\\|')} | ${pct(t)} |`);
process.stdout.write(
  [
    `Profile ${file.split('/').at(-1)}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (shares below are of busy time).`,
    '',
    '| self time by package / area | share |',
    '|---|---|',
    ...rows(areas),
    '',
    '| function (self time) | share |',
    '|---|---|',
    ...rows(fns),
    '',
  ].join('\n'),
);
