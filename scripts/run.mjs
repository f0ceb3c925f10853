#!/usr/bin/env node
// Entry point of `npm start`, `npm test` and `npm run bench` on a fresh clone
// that has only Node and npm: gets pnpm (pinned), installs with the frozen
// lockfile, generates the Prisma client and builds the web app when their
// inputs changed, then runs the command. Dependency-free on purpose.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const PNPM_VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).packageManager.split('@')[1];
const TOOLS = path.join(ROOT, '.rolegate', 'tools');
const STAMPS = path.join(ROOT, '.rolegate', 'stamps');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };

function step(msg) {
  process.stderr.write(`\x1b[2m› ${msg}\x1b[0m\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`rolegate: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

function pnpmBinary() {
  const global = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (global.status === 0 && global.stdout.trim() === PNPM_VERSION) return 'pnpm';
  const local = path.join(TOOLS, 'node_modules', '.bin', 'pnpm');
  const have = existsSync(local) && spawnSync(local, ['--version'], { encoding: 'utf8' }).stdout?.trim() === PNPM_VERSION;
  if (!have) {
    step(`installing pnpm ${PNPM_VERSION} into .rolegate/tools`);
    mkdirSync(TOOLS, { recursive: true });
    run('npm', ['install', '--prefix', TOOLS, '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${PNPM_VERSION}`]);
  }
  return local;
}

function hashOf(paths) {
  const h = createHash('sha256');
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (name !== 'node_modules' && name !== 'dist') walk(path.join(p, name));
    } else {
      h.update(p).update(readFileSync(p));
    }
  };
  for (const p of paths) walk(path.join(ROOT, p));
  return h.digest('hex');
}

/** Runs `fn` only when the hash of `inputs` differs from the last successful run. */
function once(name, inputs, outputs, fn) {
  mkdirSync(STAMPS, { recursive: true });
  const stamp = path.join(STAMPS, name);
  const hash = hashOf(inputs);
  const fresh = existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && outputs.every((o) => existsSync(path.join(ROOT, o)));
  if (fresh) return;
  fn();
  writeFileSync(stamp, hash);
}

const [command = 'start', ...rest] = process.argv.slice(2);
const pnpm = pnpmBinary();

once('install', ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json'], ['node_modules/.modules.yaml'], () => {
  step('installing dependencies (frozen lockfile)');
  run(pnpm, ['install', '--frozen-lockfile', '--reporter=append-only']);
});
once('prisma', ['prisma/schema.prisma'], ['packages/db/src/generated/prisma/client.ts'], () => {
  step('generating the Prisma client');
  run(pnpm, ['--filter', '@rolegate/db', 'run', 'generate'], { stdio: ['ignore', 'ignore', 'inherit'] });
});
once('web', ['apps/web/src', 'apps/web/index.html', 'apps/web/vite.config.ts', 'apps/web/public', 'packages/contract/src'], ['apps/web/dist/index.html'], () => {
  step('building the web app');
  run(pnpm, ['--filter', '@rolegate/web', 'run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
});

const commands = {
  start: ['exec', 'tsx', 'apps/api/src/main.ts'],
  test: ['exec', 'vitest', 'run'],
  bench: ['exec', 'tsx', 'bench/run.ts'],
};
const args = commands[command];
if (!args) {
  process.stderr.write(`rolegate: unknown command ${command} (start | test | bench)\n`);
  process.exit(2);
}
const child = spawn(pnpm, [...args, ...rest], { cwd: ROOT, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
