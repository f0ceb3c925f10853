/**
 * One AssumeRole, two ways: the STS adapter's lean SigV4-signed Query call
 * and the full AWS SDK client (`@aws-sdk/client-sts` with a keep-alive
 * NodeHttpHandler, no retries), against the AWS emulator in its own process.
 * Measures this process's CPU per call (user + system, the caller's share
 * only) and the latency of sequential calls, in interleaved rounds after a
 * warm-up; medians of rounds. `pnpm exec tsx bench/sts-call.ts [--calls=N] [--rounds=N]`
 */
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createStsAdapter } from '../apps/api/src/adapters/sts.js';
import { startChild } from './child.js';
import { clientSts, nodeHttpHandler } from './deps.js';

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const calls = arg('calls', 3000);
const rounds = arg('rounds', 5);
const brokerCredentials = { accessKeyId: 'AKIABENCHBROKER00001', secretAccessKey: 'bench-broker-secret-0123456789abcdefghij' };
const roleArn = 'arn:aws:iam::222222222222:role/BenchRole';
const upstreams = await startChild('upstreams.ts', {
  brokerArn: 'arn:aws:iam::111111111111:user/rolegate-broker',
  brokerCredentials,
  roleArns: [roleArn],
  client: { clientId: 'bench', clientSecret: 'bench-secret', redirectUri: 'http://127.0.0.1:9/cb' },
});
const stsUrl = upstreams.ready.stsUrl as string;

const lean = createStsAdapter({ region: 'us-east-1', endpoint: stsUrl, timeoutMs: 10_000, credentials: brokerCredentials });
const sdk = new clientSts.STSClient({
  region: 'us-east-1',
  endpoint: stsUrl,
  credentials: brokerCredentials,
  maxAttempts: 1,
  requestHandler: new nodeHttpHandler.NodeHttpHandler({
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  }),
});
const input = { roleArn, roleSessionName: 'alice@example.com', sourceIdentity: 'alice@example.com', durationSeconds: 3600, tags: { 'rolegate:grant-id': 'g' } };
const ways: Record<string, () => Promise<unknown>> = {
  lean: () => lean.assumeRole(input),
  sdk: () =>
    sdk.send(
      new clientSts.AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: input.roleSessionName,
        SourceIdentity: input.sourceIdentity,
        DurationSeconds: 3600,
        Tags: [{ Key: 'rolegate:grant-id', Value: 'g' }],
      }),
    ),
};

async function run(way: string, n: number) {
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await ways[way]!();
    lat.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return { cpuUsPerCall: (cpu.user + cpu.system) / n, p50: lat[Math.floor(n / 2)]!, p99: lat[Math.floor(n * 0.99)]! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `load before: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}; ${calls} sequential calls per run, ${rounds} interleaved rounds`,
);
for (const way of Object.keys(ways)) await run(way, 500); // warm-up
const results: Record<string, { cpuUsPerCall: number; p50: number; p99: number }[]> = { lean: [], sdk: [] };
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? ['lean', 'sdk'] : ['sdk', 'lean'];
  for (const way of order) {
    const res = await run(way, calls);
    results[way]!.push(res);
    console.log(`round ${r + 1} ${way}: ${res.cpuUsPerCall.toFixed(0)} µs CPU per call, p50 ${res.p50.toFixed(2)} ms, p99 ${res.p99.toFixed(2)} ms`);
  }
}
for (const way of Object.keys(results)) {
  const rs = results[way]!;
  console.log(
    `${way}: median ${median(rs.map((x) => x.cpuUsPerCall)).toFixed(0)} µs CPU per call, p50 ${median(rs.map((x) => x.p50)).toFixed(2)} ms, p99 ${median(rs.map((x) => x.p99)).toFixed(2)} ms`,
  );
}
const ratios = results.lean!.map((l, i) => l.cpuUsPerCall / results.sdk![i]!.cpuUsPerCall);
console.log(`lean ÷ sdk CPU per call, median of rounds: ${median(ratios).toFixed(2)} (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})`);
console.log(
  `load after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}`,
);
lean.destroy();
sdk.destroy();
await upstreams.stop();
