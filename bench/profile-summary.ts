/**
 * Summarises a V8 CPU profile (`--cpu-prof`, e.g. BENCH_CPU_PROF=<dir> npm
 * run bench) as markdown: self time by package / source area and the top
 * functions by self time. Frames in a bundle with a linked source map (the
 * bench compiles its servers so) are mapped back to their source files. `pnpm exec tsx bench/profile-summary.ts <file.cpuprofile> [top]`
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
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

const maps = new Map<string, SourceMap | null>();
/** The original file and line of a frame in a bundled file, when a `.map` lies next to it. */
function original(url: string, line: number, column: number): { url: string; line: number } {
  if (!url.startsWith('file://')) return { url, line };
  let map = maps.get(url);
  if (map === undefined) {
    const mapFile = `${fileURLToPath(url)}.map`;
    map = existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as never) : null;
    maps.set(url, map);
  }
  const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  return entry?.originalSource ? { url: entry.originalSource, line: entry.originalLine ?? 0 } : { url, line };
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
  const src = original(f.url, f.lineNumber, f.columnNumber);
  const area = areaOf(src.url, f.functionName);
  areas.set(area, (areas.get(area) ?? 0) + t);
  const name = `${f.functionName || '(anonymous)'} — ${area}${src.url ? `:${src.line + 1}` : ''}`;
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
