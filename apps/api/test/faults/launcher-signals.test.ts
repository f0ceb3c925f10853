import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '@rolegate/db';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function readyz(port: number): Promise<number | 'refused'> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return 'refused';
  }
}

// Regression: `kill -TERM <npm pid>` ended npm, but the server behind
// `npm start` kept running and answering /readyz, with nobody left to stop it.
describe('npm start and signals', () => {
  it('a SIGTERM to npm stops the server behind it', { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(path.join(ROOT, '.rolegate-test-signals-'));
    // Embedded Postgres runs as the postgres user when we are root: it must reach the folder.
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, ROLEGATE_DEMO: '1', NODE_ENV: 'development' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    npm.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    try {
      let up = false;
      for (let i = 0; i < 120 && !up; i++) {
        up = (await readyz(port)) === 200;
        if (!up) await sleep(500);
      }
      expect(up, `npm start became ready; stderr: ${stderr.slice(-2000)}`).toBe(true);
      npm.kill('SIGTERM');
      let down = false;
      for (let i = 0; i < 60 && !down; i++) {
        down = (await readyz(port)) === 'refused';
        if (!down) await sleep(500);
      }
      expect(down, 'the server stopped after npm got SIGTERM').toBe(true);
    } finally {
      npm.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
