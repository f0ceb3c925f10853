import { loadConfig, type Config } from '../../src/config.js';

/** The configuration main.ts would load from `env` (not the demo; placeholder OIDC settings and session secret unless `env` sets them). */
export function configFrom(env: Record<string, string>): Readonly<Config> {
  return loadConfig({
    ROLEGATE_DEMO: '0',
    SESSION_SECRET: 'x'.repeat(40),
    OIDC_ISSUER: 'http://127.0.0.1:1',
    OIDC_CLIENT_ID: 'a',
    OIDC_CLIENT_SECRET: 'b',
    ...env,
  });
}
