/**
 * Child process: a bare Express route doing the irreducible work of a grant,
 * without sessions, CSRF, validation, Prisma or logging: insert a row
 * (pending), one SigV4-signed STS AssumeRole against the same emulator over a
 * keep-alive agent — the lean Query call Rolegate makes (its STS adapter, the
 * cheapest known way to put that request on the wire), or with
 * `BENCH_FLOOR_STS=sdk` the full AWS SDK client as before — (for a console grant, the same
 * getSigninToken POST to the federation endpoint), update the row (issued).
 * Two Postgres writes with pg, each its own commit, like Rolegate's.
 *
 * Two tables, two reference points (bench/README.md; the narrow one is
 * made by grant-path.ts):
 * - `grants`: the real grant table with its indexes and its outcome trigger
 *   (the "baseline": what any implementation of the grant table pays);
 * - `narrow`: a narrow row in a table with only a primary key (the "floor":
 *   what no implementation can go under on this machine).
 * The body `{ kind, user }` picks one of `users` (index), so the load can be
 * one hot user or many distinct ones, as for Rolegate.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createStsAdapter } from '../apps/api/src/adapters/sts.js';
import { clientSts, express, nodeHttpHandler, pg } from './deps.js';
import { childConfig, serveChild } from './child.js';
import { countQueries, createTracer } from './trace.js';

export interface BenchUser {
  id: string;
  email: string;
  subject: string;
  groups: string[];
}

export interface BaselineConfig {
  port: number;
  databaseUrl: string;
  stsUrl: string;
  federationUrl: string;
  brokerCredentials: { accessKeyId: string; secretAccessKey: string };
  users: BenchUser[];
  mapping: { id: string; accountId: string; roleArn: string };
  table: 'grants' | 'narrow';
}

const cfg = childConfig<BaselineConfig>();
const tracer = createTracer();
countQueries(pg.Client, tracer);
const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: 20 });
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const sdkSts =
  process.env.BENCH_FLOOR_STS === 'sdk'
    ? new clientSts.STSClient({
        region: 'us-east-1',
        endpoint: cfg.stsUrl,
        credentials: cfg.brokerCredentials,
        maxAttempts: 1,
        requestHandler: new nodeHttpHandler.NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: 10_000, httpAgent: agent }),
      })
    : null;
const leanSts = createStsAdapter({ region: 'us-east-1', endpoint: cfg.stsUrl, timeoutMs: 10_000, credentials: cfg.brokerCredentials });

/** AssumeRole, either way: the fields the route uses. */
async function assumeRole(input: { RoleArn: string; RoleSessionName: string; SourceIdentity: string; DurationSeconds: number; grantId: string }) {
  if (sdkSts) {
    const out = await sdkSts.send(
      new clientSts.AssumeRoleCommand({ ...input, grantId: undefined, Tags: [{ Key: 'rolegate:grant-id', Value: input.grantId }] }),
    );
    const c = out.Credentials!;
    return {
      AccessKeyId: c.AccessKeyId!,
      SecretAccessKey: c.SecretAccessKey!,
      SessionToken: c.SessionToken!,
      Expiration: c.Expiration!,
      requestId: out.$metadata.requestId ?? null,
    };
  }
  const out = await leanSts.assumeRole({
    roleArn: input.RoleArn,
    roleSessionName: input.RoleSessionName,
    sourceIdentity: input.SourceIdentity,
    durationSeconds: input.DurationSeconds,
    tags: { 'rolegate:grant-id': input.grantId },
  });
  const c = out.credentials;
  return { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration, requestId: out.requestId };
}

function signinToken(session: string): Promise<string> {
  const body = new URLSearchParams({ Action: 'getSigninToken', Session: session }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      cfg.federationUrl,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SigninToken: string }).SigninToken));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const app = express();
app.use(express.json());
app.post('/grant', async (req, res) => {
  const body = req.body as { kind?: string; user?: number };
  const kind = body.kind === 'console' ? 'console' : 'cli';
  const user = cfg.users[body.user ?? 0] ?? cfg.users[0]!;
  const id = randomUUID();
  const sessionName = user.email.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  if (cfg.table === 'grants') {
    await pool.query(
      `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn, role_session_name, source_identity, kind, duration_seconds, status, client_ip, user_agent)
       VALUES ($1, $2, $3, $4, 'oidc', $5, $6, $7, $8, $9, $9, $10, 3600, 'pending', $11, $12)`,
      [
        id,
        user.id,
        user.email,
        user.subject,
        user.groups,
        cfg.mapping.id,
        cfg.mapping.accountId,
        cfg.mapping.roleArn,
        sessionName,
        kind,
        req.ip ?? null,
        req.get('user-agent') ?? null,
      ],
    );
  } else {
    await pool.query(`INSERT INTO bench_floor_grants (id, user_id, kind, status) VALUES ($1, $2, $3, 'pending')`, [id, user.id, kind]);
  }
  const c = await tracer.upstream(() =>
    assumeRole({ RoleArn: cfg.mapping.roleArn, RoleSessionName: sessionName, SourceIdentity: sessionName, DurationSeconds: 3600, grantId: id }),
  );
  let consoleUrl: string | undefined;
  if (kind === 'console') {
    const token = await tracer.upstream(() =>
      signinToken(JSON.stringify({ sessionId: c.AccessKeyId, sessionKey: c.SecretAccessKey, sessionToken: c.SessionToken })),
    );
    consoleUrl = `${cfg.federationUrl}?Action=login&SigninToken=${encodeURIComponent(token)}`;
  }
  if (cfg.table === 'grants') {
    await pool.query(
      `UPDATE grants SET status = 'issued', sts_request_id = $2, access_key_id = $3, expires_at = $4, updated_at = now() WHERE id = $1 AND status = 'pending'`,
      [id, c.requestId, c.AccessKeyId, c.Expiration],
    );
  } else {
    await pool.query(`UPDATE bench_floor_grants SET status = 'issued', access_key_id = $2, expires_at = $3 WHERE id = $1`, [id, c.AccessKeyId, c.Expiration]);
  }
  res
    .set('Cache-Control', 'no-store')
    .status(201)
    .json(
      consoleUrl
        ? { id, consoleUrl }
        : { id, credentials: { AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration } },
    );
});

const server = http.createServer(tracer.wrap(app));
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(cfg.port, '127.0.0.1', resolve));

serveChild({ url: `http://127.0.0.1:${cfg.port}` }, tracer.ops, async () => {
  server.closeAllConnections();
  server.close();
  sdkSts?.destroy();
  leanSts.destroy();
  await pool.end();
});
