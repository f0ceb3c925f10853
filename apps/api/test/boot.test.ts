import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function boot(env: Record<string, string>) {
  return spawnSync(TSX, ['apps/api/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('boot with a bad configuration', () => {
  it('stops with exit 1 and one readable message naming the variable', () => {
    const r = boot({ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SESSION_SECRET: is required outside demo mode');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('stops on a malformed DATABASE_URL before touching any database', () => {
    const r = boot({
      ROLEGATE_DEMO: '0',
      SESSION_SECRET: 's'.repeat(40),
      OIDC_ISSUER: 'https://login.example.com',
      OIDC_CLIENT_ID: 'x',
      OIDC_CLIENT_SECRET: 'y',
      DATABASE_URL: 'not-a-url',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL');
  });
});
