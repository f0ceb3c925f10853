/**
 * Third-party modules of the baseline, loaded from apps/api's dependencies:
 * bench/ is not a workspace package, so it has no node_modules of its own
 * and pnpm does not hoist them to the root. Typed here with just the surface
 * the baseline uses (their declaration files are not reachable from bench/).
 */
import { createRequire } from 'node:module';
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';

const requireFromApi = createRequire(new URL('../apps/api/package.json', import.meta.url));

export interface BaselineRequest extends IncomingMessage {
  body: unknown;
  ip?: string;
  get(header: string): string | undefined;
}
export interface BaselineResponse extends ServerResponse {
  set(header: string, value: string): BaselineResponse;
  status(code: number): BaselineResponse;
  json(body: unknown): void;
}
type Handler = (req: BaselineRequest, res: BaselineResponse) => Promise<void>;
export interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  use(middleware: unknown): void;
  post(path: string, handler: Handler): void;
}
export const express = requireFromApi('express') as { (): ExpressApp; json(): unknown };

export interface PgPool {
  on(event: 'error', listener: (err: Error) => void): void;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}
export const pg = requireFromApi('pg') as {
  Pool: new (opts: { connectionString: string; max?: number }) => PgPool;
  Client: { prototype: { query: (...args: unknown[]) => unknown } };
};

export interface AssumeRoleOutput {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date };
  $metadata: { requestId?: string };
}
export const clientSts = requireFromApi('@aws-sdk/client-sts') as {
  STSClient: new (opts: Record<string, unknown>) => { send(command: unknown): Promise<AssumeRoleOutput>; destroy(): void };
  AssumeRoleCommand: new (input: Record<string, unknown>) => unknown;
};
export const nodeHttpHandler = requireFromApi('@smithy/node-http-handler') as {
  NodeHttpHandler: new (opts: { connectionTimeout: number; requestTimeout: number; httpAgent: Agent }) => unknown;
};
