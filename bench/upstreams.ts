/**
 * Child process: the AWS emulator (STS + federation) and the dev OIDC
 * provider, shared by Rolegate and the baseline. Started by grant-path.ts.
 */
import { startAwsEmulator } from '../packages/aws-emulator/src/index.js';
import { startDevOidcProvider } from '../packages/dev-idp/src/index.js';
import { childConfig, serveChild } from './child.js';

export interface UpstreamsConfig {
  brokerArn: string;
  brokerCredentials: { accessKeyId: string; secretAccessKey: string };
  roleArns: string[];
  client: { clientId: string; clientSecret: string; redirectUri: string };
}

const cfg = childConfig<UpstreamsConfig>();
const aws = await startAwsEmulator({
  callers: [{ ...cfg.brokerCredentials, arn: cfg.brokerArn }],
  roles: cfg.roleArns.map((arn) => ({ arn, maxSessionDuration: 43200, trustedPrincipals: [cfg.brokerArn] })),
});
const idp = await startDevOidcProvider({
  clients: [{ clientId: cfg.client.clientId, clientSecret: cfg.client.clientSecret, redirectUris: [cfg.client.redirectUri] }],
});

serveChild(
  { stsUrl: aws.stsUrl, federationUrl: aws.federationUrl, issuer: idp.issuer, users: idp.users.map((u) => ({ username: u.username, password: u.password })) },
  {
    /** AWS calls seen since the last clear, by action; clears the log (it would grow for ever). */
    calls() {
      const counts: Record<string, number> = {};
      for (const r of aws.requests) counts[`${r.action}:${r.status}`] = (counts[`${r.action}:${r.status}`] ?? 0) + 1;
      aws.clearLog();
      return counts;
    },
  },
  async () => {
    await Promise.allSettled([aws.close(), idp.close()]);
  },
);
