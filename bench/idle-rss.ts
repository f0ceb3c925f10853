/**
 * Idle RSS of two or more builds of the service compared in interleaved
 * starts (the probe of startup.ts: production mode, embedded Postgres on a
 * DATA_DIR initialised by one demo start, VmRSS after a few idle seconds).
 *
 *   node apps/api/build.mjs --outdir=dist-before   # at the commit to compare with
 *   node apps/api/build.mjs                         # the current sources
 *   pnpm exec tsx bench/idle-rss.ts --builds=dist-before,dist --rounds=8
 *
 * Each round starts every build once, the order flipping between rounds (a
 * start right after another one tends to read more). Prints each start and
 * the medians; writes nothing.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startOnce } from './startup.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const builds = (arg('builds') ?? 'dist').split(',');
const rounds = Number(arg('rounds') ?? 5);
const idleSeconds = Number(arg('idle') ?? 5);
for (const b of builds) if (!/^[\w.-]+$/.test(b)) throw new Error(`--builds takes folder names inside apps/api, not ${b}`);

const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
const dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-bench-rss-'));
// Postgres runs as the `postgres` user when we are root; it must reach the folder.
await chmod(dir, 0o755);
const dataDir = path.join(dir, 'data');
const command = (build: string) => [`apps/api/${build}/main.js`];
const rss: Record<string, number[]> = Object.fromEntries(builds.map((b) => [b, []]));
try {
  console.log(`load average before: ${loadavg()}`);
  await startOnce(dataDir, 'fresh', 1, 'demo', 'dist', command(builds[0]!));
  for (let round = 0; round < rounds; round++) {
    for (const build of round % 2 ? [...builds].reverse() : builds) {
      const run = await startOnce(dataDir, 'initialised', idleSeconds, 'production', 'dist', command(build));
      rss[build]!.push(run.rssMb ?? Number.NaN);
      console.log(`round ${round + 1}, ${build}: ${run.rssMb?.toFixed(1) ?? '?'} MB`);
    }
  }
  for (const build of builds)
    console.log(`${build}: idle RSS median ${median(rss[build]!).toFixed(0)} MB of ${rounds} (${rss[build]!.map((r) => r.toFixed(0)).join(', ')})`);
  console.log(`load average after: ${loadavg()}`);
} finally {
  await rm(dir, { recursive: true, force: true }).catch(() => {});
}
