#!/usr/bin/env node
// Entry point of `npm start`, `npm test` and `npm run bench` on a fresh clone
// that has only Node and npm: gets Node 24 LTS (pinned) when the machine's
// Node is older than 22, gets pnpm (pinned), installs with the frozen
// lockfile, generates the Prisma client and builds the web app when their
// inputs changed, then runs the command — every child on the chosen Node.
// Dependency-free on purpose, and itself runs on the old Node it replaces.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).packageManager.split('@')[1];
const TOOLS = path.join(ROOT, '.rolegate', 'tools');
const STAMPS = path.join(ROOT, '.rolegate', 'stamps');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
/** Node 24 LTS, fetched when the machine's Node is older than ROLEGATE_MIN_NODE (default 22; CI asks for 24). */
const NODE_VERSION = '24.22.3';
const MIN_NODE_MAJOR = Number.parseInt(process.env.ROLEGATE_MIN_NODE ?? '', 10) || 22;

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
  const have = existsSync(local) && spawnSync(local, ['--version'], { encoding: 'utf8', env }).stdout?.trim() === PNPM_VERSION;
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
  if (command === 'node') return; // `node` only reports the chosen Node: nothing to install or build
  mkdirSync(STAMPS, { recursive: true });
  const stamp = path.join(STAMPS, name);
  const hash = hashOf(inputs);
  const fresh = existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && outputs.every((o) => existsSync(path.join(ROOT, o)));
  if (fresh) return;
  fn();
  writeFileSync(stamp, hash);
}

const majorOf = (version) => Number(String(version).replace(/^v/, '').split('.')[0]);

/**
 * The directory of the Node that runs everything, or null for the one running
 * this script. Node's own binaries come from the registry as the package
 * node-<os>-<cpu> (what the `node` package's install step fetches); installing
 * it directly needs no install script.
 */
function nodeBinDir() {
  if (majorOf(process.versions.node) >= MIN_NODE_MAJOR) return null;
  const os = process.platform === 'win32' ? 'win' : process.platform;
  const pkg = `node-${os}-${process.arch}`;
  const prefix = path.join(TOOLS, `node-${NODE_VERSION}`);
  const bin = path.join(prefix, 'node_modules', pkg, 'bin');
  const node = path.join(bin, 'node');
  const version = () => (existsSync(node) ? spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() : undefined);
  if (version() !== `v${NODE_VERSION}`) {
    step(`Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}: installing Node ${NODE_VERSION} into .rolegate/tools`);
    mkdirSync(prefix, { recursive: true });
    run('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', '--no-save', `${pkg}@${NODE_VERSION}`]);
    if (version() !== `v${NODE_VERSION}`) {
      process.stderr.write(`rolegate: could not install Node ${NODE_VERSION} (${pkg}); install Node ${MIN_NODE_MAJOR} or newer yourself\n`);
      process.exit(1);
    }
  }
  return bin;
}

const [command = 'start', ...rest] = process.argv.slice(2);
// Every child (npm, pnpm, turbo, vitest, tsx, the server) finds this Node first
// on PATH: their launchers run `node` from PATH, and vitest's workers and the
// tests' own child processes inherit it through process.execPath.
const nodeBin = nodeBinDir();
if (nodeBin) {
  env.PATH = `${nodeBin}${path.delimiter}${env.PATH ?? ''}`;
  step(`running on Node ${NODE_VERSION} from .rolegate/tools (this machine has ${process.versions.node})`);
}
const pnpm = pnpmBinary();

once('install', ['pnpm-lock.yaml', 'pnpm-workspace.yaml', 'package.json'], ['node_modules/.modules.yaml'], () => {
  step('installing dependencies (frozen lockfile)');
  run(pnpm, ['install', '--frozen-lockfile', '--reporter=append-only']);
});
once('prisma', ['prisma/schema.prisma'], ['packages/db/src/generated/prisma/client.ts'], () => {
  step('generating the Prisma client');
  run(pnpm, ['--filter', '@rolegate/db', 'run', 'generate'], { stdio: ['ignore', 'ignore', 'inherit'] });
});
once(
  'web',
  ['apps/web/src', 'apps/web/index.html', 'apps/web/vite.config.ts', 'apps/web/public', 'packages/contract/src'],
  ['apps/web/dist/index.html'],
  () => {
    step('building the web app');
    run(pnpm, ['--filter', '@rolegate/web', 'run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  },
);

const commands = {
  start: ['exec', 'tsx', 'apps/api/src/main.ts'],
  test: ['exec', 'vitest', 'run'],
  bench: ['exec', 'tsx', 'bench/run.ts'],
  // CI's checks, on the same Node as the tests.
  typecheck: ['exec', 'turbo', 'run', 'typecheck', '--output-logs=errors-only'],
  lint: ['exec', 'eslint', '.'],
  node: ['exec', 'node'],
};
const args = commands[command];
if (!args) {
  process.stderr.write(`rolegate: unknown command ${command} (start | test | bench | typecheck | lint | node)\n`);
  process.exit(2);
}
const child = spawn(pnpm, [...args, ...rest], { cwd: ROOT, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
// npm does not pass SIGTERM on to its script: when whoever started us goes
// away (npm killed, the terminal closed), stop the command instead of leaving
// a server answering /readyz with nobody to stop it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM');
}, 500).unref();
