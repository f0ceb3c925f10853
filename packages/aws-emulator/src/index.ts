import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseRoleArn } from './arn.js';
import type { EmulatorContext } from './context.js';
import { createEmulatorServer } from './server.js';
import { SessionStore } from './store.js';
import type { AwsEmulator, EmulatorFault, EmulatorOptions, EmulatorRequest, EmulatorRole, FaultAction } from './types.js';

export type { AwsEmulator, EmulatorCaller, EmulatorFault, EmulatorOptions, EmulatorRequest, EmulatorRole, FaultAction } from './types.js';

/** Checks a role definition; throws Error on a malformed ARN or a MaxSessionDuration outside 3600..43200. */
function checkRole(role: EmulatorRole): EmulatorRole {
  if (!parseRoleArn(role.arn)) throw new Error(`aws-emulator: not a role ARN: ${role.arn}`);
  const max = role.maxSessionDuration ?? 3600;
  if (!Number.isInteger(max) || max < 3600 || max > 43200) {
    throw new Error(`aws-emulator: maxSessionDuration of ${role.arn} must be an integer in 3600..43200`);
  }
  return { ...role, trustedPrincipals: [...role.trustedPrincipals] };
}

/** Starts the emulator (STS at "/", federation at "/federation", console at "/console"); throws on a bad role definition or when the port is taken. */
export async function startAwsEmulator(opts: EmulatorOptions): Promise<AwsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const ctx: EmulatorContext = {
    region: opts.region ?? 'us-east-1',
    now: opts.now ?? (() => new Date()),
    callers: new Map(opts.callers.map((c) => [c.accessKeyId, { ...c }])),
    roles: new Map(opts.roles.map((r) => [r.arn, checkRole(r)])),
    store: new SessionStore(),
  };
  const faults = new Map<FaultAction, EmulatorFault>();
  const requests: EmulatorRequest[] = [];
  const server = createEmulatorServer({ ctx, faults, log: (entry) => requests.push(entry) });
  // `once` rejects if 'error' (a taken port) comes first.
  await once(server.listen(opts.port ?? 0, host), 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    stsUrl: url,
    federationUrl: `${url}/federation`,
    requests,
    countCalls: (action) => requests.filter((r) => r.action === action).length,
    clearLog: () => {
      requests.length = 0;
    },
    addRole: (role) => {
      ctx.roles.set(role.arn, checkRole(role));
    },
    setFault: (action, fault) => {
      if (fault) faults.set(action, fault);
      else faults.delete(action);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
