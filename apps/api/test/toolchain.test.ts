// Issue 11 §6: `npm start` / `npm test` run on Node 24 LTS. On a machine whose
// Node is older than ROLEGATE_MIN_NODE (22 by default, 24 in CI),
// scripts/run.mjs installs Node 24 from the registry into .rolegate/tools and
// puts it first on PATH for everything it starts. Forcing the threshold above
// any real version makes this machine "too old", whatever it runs.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('scripts/run.mjs and Node 24', () => {
  it('runs its children on the Node 24 it fetched into .rolegate/tools, found first on PATH', async () => {
    // `node` here is resolved by pnpm from PATH, as the launchers of tsx, vitest and turbo do.
    const { stdout, stderr } = await run(
      process.execPath,
      ['scripts/run.mjs', 'node', '-e', 'console.log(JSON.stringify([process.version, process.execPath]))'],
      {
        cwd: ROOT,
        // The machine's PATH without any fetched Node, as on a fresh clone.
        env: {
          ...process.env,
          ROLEGATE_MIN_NODE: '99',
          PATH: (process.env.PATH ?? '')
            .split(path.delimiter)
            .filter((d) => !d.includes(`${path.sep}.rolegate${path.sep}`))
            .join(path.delimiter),
        },
      },
    );
    const [version, execPath] = JSON.parse(stdout.trim().split('\n').at(-1)!) as [string, string];
    expect(version).toMatch(/^v24\.\d+\.\d+$/);
    expect(execPath.startsWith(path.join(ROOT, '.rolegate', 'tools', `node-${version.slice(1)}`))).toBe(true);
    expect(stderr).toContain(`running on Node ${version.slice(1)} from .rolegate/tools`);
  }, 180_000);

  it('declares Node 22.12 or newer in engines, for the workspace and the CLI', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const file of ['package.json', 'packages/cli/package.json']) {
      expect(JSON.parse(await readFile(path.join(ROOT, file), 'utf8')).engines).toEqual({ node: '>=22.12' });
    }
  });
});
