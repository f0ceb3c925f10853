/**
 * Child process: the baseline — the irreducible work of a grant in a bare
 * Express route, without sessions, CSRF, validation, Prisma or logging:
 * insert the grant row (pending), one SigV4-signed STS AssumeRole with the
 * AWS SDK against the same emulator, (for a console grant, the same
 * getSigninToken POST to the federation endpoint), update the row (issued).
 * Two Postgres writes with pg, each its own commit, like Rolegate's.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { clientSts, express, nodeHttpHandler, pg } from './deps.js';
import { childConfig, serveChild } from './child.js';
import { createTracer } from './trace.js';

export interface BaselineConfig {
  port: number;
  databaseUrl: string;
  stsUrl: string;
  federationUrl: string;
  brokerCredentials: { accessKeyId: string; secretAccessKey: string };
  user: { id: string; email: string; subject: string; groups: string[] };
  mapping: { id: string; accountId: string; roleArn: string };
}

const cfg = childConfig<BaselineConfig>();
const tracer = createTracer();
const pool = new pg.Pool({ connectionString: cfg.databaseUrl, max: 20 });
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const sts = new clientSts.STSClient({
  region: 'us-east-1',
  endpoint: cfg.stsUrl,
  credentials: cfg.brokerCredentials,
  maxAttempts: 1,
  requestHandler: new nodeHttpHandler.NodeHttpHandler({ connectionTimeout: 3000, requestTimeout: 10_000, httpAgent: agent }),
});

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
  const kind = (req.body as { kind?: string }).kind === 'console' ? 'console' : 'cli';
  const id = randomUUID();
  const sessionName = cfg.user.email.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  await pool.query(
    `INSERT INTO grants (id, user_id, user_email, user_subject, idp, groups, mapping_id, account_id, role_arn, role_session_name, source_identity, kind, duration_seconds, status, client_ip, user_agent)
     VALUES ($1, $2, $3, $4, 'oidc', $5, $6, $7, $8, $9, $9, $10, 3600, 'pending', $11, $12)`,
    [
      id,
      cfg.user.id,
      cfg.user.email,
      cfg.user.subject,
      cfg.user.groups,
      cfg.mapping.id,
      cfg.mapping.accountId,
      cfg.mapping.roleArn,
      sessionName,
      kind,
      req.ip ?? null,
      req.get('user-agent') ?? null,
    ],
  );
  const out = await tracer.upstream(() =>
    sts.send(
      new clientSts.AssumeRoleCommand({
        RoleArn: cfg.mapping.roleArn,
        RoleSessionName: sessionName,
        SourceIdentity: sessionName,
        DurationSeconds: 3600,
        Tags: [{ Key: 'rolegate:grant-id', Value: id }],
      }),
    ),
  );
  const c = out.Credentials!;
  let consoleUrl: string | undefined;
  if (kind === 'console') {
    const token = await tracer.upstream(() =>
      signinToken(JSON.stringify({ sessionId: c.AccessKeyId, sessionKey: c.SecretAccessKey, sessionToken: c.SessionToken })),
    );
    consoleUrl = `${cfg.federationUrl}?Action=login&SigninToken=${encodeURIComponent(token)}`;
  }
  await pool.query(`UPDATE grants SET status = 'issued', sts_request_id = $2, access_key_id = $3, expires_at = $4, updated_at = now() WHERE id = $1`, [
    id,
    out.$metadata.requestId ?? null,
    c.AccessKeyId,
    c.Expiration,
  ]);
  res
    .set('Cache-Control', 'no-store')
    .status(201)
    .json(consoleUrl ? { id, consoleUrl } : { id, credentials: c });
});

const server = http.createServer(tracer.wrap(app));
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(cfg.port, '127.0.0.1', resolve));

serveChild({ url: `http://127.0.0.1:${cfg.port}` }, tracer.ops, async () => {
  server.closeAllConnections();
  server.close();
  sts.destroy();
  await pool.end();
});
