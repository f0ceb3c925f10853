/**
 * Runs the demo IdP standalone: `PORT=9400 CLIENT_ID=rolegate CLIENT_SECRET=... REDIRECT_URI=http://127.0.0.1:3000/auth/callback tsx src/main.ts`
 * Prints the issuer and every user's (random, per-start) password.
 */
import { startDevOidcProvider } from './index.js';

interface MainConfig {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  issuerPath: string;
}

// Parsed once; every problem is reported together. The client secret has no default.
function parseEnv(env: NodeJS.ProcessEnv): MainConfig {
  const problems: string[] = [];
  const port = Number(env['PORT'] ?? '9400');
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('PORT must be an integer 0-65535');
  const clientId = env['CLIENT_ID'] ?? '';
  if (!clientId) problems.push('CLIENT_ID is required');
  const clientSecret = env['CLIENT_SECRET'] ?? '';
  if (clientSecret.length < 16) problems.push('CLIENT_SECRET is required (at least 16 characters)');
  const redirectUris = (env['REDIRECT_URI'] ?? '').split(/\s+/).filter(Boolean);
  if (redirectUris.length === 0) problems.push('REDIRECT_URI is required (space-separated for several)');
  for (const uri of redirectUris) if (!URL.canParse(uri)) problems.push(`REDIRECT_URI ${uri} is not a URL`);
  if (problems.length > 0) {
    console.error(`dev-idp: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  return Object.freeze({ host: env['HOST'] ?? '127.0.0.1', port, clientId, clientSecret, redirectUris, issuerPath: env['ISSUER_PATH'] ?? '' });
}

const config = parseEnv(process.env);
const idp = await startDevOidcProvider({
  host: config.host,
  port: config.port,
  issuerPath: config.issuerPath,
  clients: [{ clientId: config.clientId, clientSecret: config.clientSecret, redirectUris: config.redirectUris }],
});

console.log(`Rolegate demo IdP (OIDC) listening: issuer ${idp.issuer}`);
console.log(`client ${config.clientId} → ${config.redirectUris.join(', ')}`);
console.log('demo users (passwords are new on every start):');
for (const user of idp.users) {
  console.log(`  ${user.username.padEnd(8)} ${user.password}  groups=${user.groups.join(',')}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void idp.close().then(() => process.exit(0));
  });
}
