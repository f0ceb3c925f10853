/**
 * Standalone emulator for manual use: `pnpm exec tsx src/main.ts`.
 * Env (read only here): PORT (default 4566), HOST (127.0.0.1), AWS_REGION,
 * ROLES_FILE (optional JSON: an EmulatorRole[] or { roles, callers }),
 * EMULATOR_ACCESS_KEY_ID / EMULATOR_SECRET_ACCESS_KEY / EMULATOR_CALLER_ARN (the broker's identity;
 * a random secret is generated and printed when unset — this is a local test tool, never production).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startAwsEmulator, type EmulatorCaller, type EmulatorRole } from './index.js';

function loadFile(path: string | undefined): { roles: EmulatorRole[]; callers: EmulatorCaller[] } {
  if (!path) return { roles: [], callers: [] };
  const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (Array.isArray(data)) return { roles: data as EmulatorRole[], callers: [] };
  const obj = data as { roles?: EmulatorRole[]; callers?: EmulatorCaller[] };
  return { roles: obj.roles ?? [], callers: obj.callers ?? [] };
}

const env = Object.freeze({
  port: Number(process.env.PORT ?? 4566),
  host: process.env.HOST ?? '127.0.0.1',
  region: process.env.AWS_REGION ?? 'us-east-1',
  rolesFile: process.env.ROLES_FILE,
  accessKeyId: process.env.EMULATOR_ACCESS_KEY_ID ?? 'AKIAROLEGATEEMULATOR',
  secretAccessKey: process.env.EMULATOR_SECRET_ACCESS_KEY,
  callerArn: process.env.EMULATOR_CALLER_ARN ?? 'arn:aws:iam::111111111111:user/rolegate-broker',
});
if (!Number.isInteger(env.port) || env.port < 0 || env.port > 65535) {
  console.error(`PORT must be an integer 0..65535, got ${process.env.PORT}`);
  process.exit(1);
}

const file = loadFile(env.rolesFile);
const secretAccessKey = env.secretAccessKey ?? randomBytes(30).toString('base64');
const roles = file.roles.length ? file.roles : [{ arn: 'arn:aws:iam::222222222222:role/Developer', maxSessionDuration: 43200, trustedPrincipals: ['*'] }];
const callers = [{ accessKeyId: env.accessKeyId, secretAccessKey, arn: env.callerArn }, ...file.callers];
const emulator = await startAwsEmulator({ host: env.host, port: env.port, region: env.region, roles, callers });

console.log(`AWS emulator listening on ${emulator.url}`);
console.log(`  AWS_ENDPOINT_URL_STS=${emulator.stsUrl}`);
console.log(`  AWS_ENDPOINT_URL_IAM=${emulator.iamUrl}  (region us-east-1)`);
console.log(`  FEDERATION_URL=${emulator.federationUrl}`);
console.log(`  AWS_ACCESS_KEY_ID=${env.accessKeyId}`);
if (!env.secretAccessKey) console.log(`  AWS_SECRET_ACCESS_KEY=${secretAccessKey}  (generated)`);
console.log(`  roles: ${roles.map((r) => r.arn).join(', ')}`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
