// CI coverage of the packaging files: docker-compose.yml, the Dockerfile, the
// Helm chart and the Keycloak realm parse and keep their safety properties
// (deploy/check.mjs; helm and docker are not needed).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkChart, checkCompose, checkDockerfile, checkRepository, checkTemplate, checkValues } from '../../../deploy/check.mjs';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (p: string) => readFile(path.join(ROOT, p), 'utf8');

describe('packaging files', () => {
  // Regression: the chart gave 20 s and no preStop, less than a grant waiting on both outbound timeouts.
  it('the Helm values give shutdown its budget: preStop and a grace period above preStop + 30 s', async () => {
    const values = await read('deploy/helm/rolegate/values.yaml');
    expect(checkValues(values)).toEqual([]);
    expect(checkValues(values.replace(/terminationGracePeriodSeconds: \d+/, 'terminationGracePeriodSeconds: 20'))).toEqual([
      expect.stringContaining('terminationGracePeriodSeconds must exceed'),
    ]);
    const template = await read('deploy/helm/rolegate/templates/deployment.yaml');
    expect(template).toMatch(/preStop:[\s\S]*sleep/);
  });

  it('all parse and pass the checks', () => {
    expect(checkRepository(ROOT)).toEqual([]);
  });

  it('docker-compose.yml has Postgres, Rolegate with a required session secret, and Keycloak in its own profile', async () => {
    const text = await read('docker-compose.yml');
    expect(checkCompose(text)).toEqual([]);
    expect(checkCompose(text.replace(/\$\{SESSION_SECRET:\?[^}]*\}/, 'not-a-secret'))).toEqual([
      'docker-compose.yml: SESSION_SECRET must be required from the environment, never defaulted',
    ]);
    expect(checkCompose(text.replace('profiles: [keycloak]', ''))).toEqual(['docker-compose.yml: the Keycloak service must be in the "keycloak" profile']);
    expect(checkCompose(`${text}\n  broken: [`)[0]).toMatch(/^docker-compose\.yml: /);
  });

  it('the Dockerfile is multi-stage and its final stage runs as a non-root user', async () => {
    const text = await read('Dockerfile');
    expect(checkDockerfile(text)).toEqual([]);
    expect(checkDockerfile(text.replace(/^USER .*$/m, 'USER root'))).toEqual(['Dockerfile: the final stage must switch to a non-root USER']);
    expect(checkDockerfile(`${text}\nENV SESSION_SECRET=abc\n`)).toEqual(['Dockerfile: a secret is set at build time']);
    // Node 20 reached end of life: the image must not drift back to it.
    expect(checkDockerfile(text.replace(/^ARG NODE_IMAGE=.*$/m, 'ARG NODE_IMAGE=node:20-bookworm-slim'))).toEqual([
      'Dockerfile: NODE_IMAGE must be a Node 24 LTS image (node:24-…)',
    ]);
  });

  it('the chart has probes on /healthz and /readyz, runs as non-root, and references an existing secret', async () => {
    const chart = 'deploy/helm/rolegate';
    expect(checkChart(await read(`${chart}/Chart.yaml`))).toEqual([]);
    const values = await read(`${chart}/values.yaml`);
    expect(checkValues(values)).toEqual([]);
    expect(checkValues(values.replace('path: /readyz', 'path: /healthz'))).toEqual(['values.yaml: the readiness probe must use /readyz']);
    expect(checkValues(values.replace('runAsNonRoot: true', 'runAsNonRoot: false'))).toEqual(['values.yaml: podSecurityContext.runAsNonRoot must be true']);

    const deployment = await read(`${chart}/templates/deployment.yaml`);
    expect(checkTemplate(deployment, 'deployment.yaml')).toEqual([]);
    expect(deployment).toMatch(/secretKeyRef:\s+name: \{\{ \$secret \}\}\s+key: \{\{ \.Values\.secretKeys\.sessionSecret \}\}/);
    expect(deployment).toMatch(/secretKeyRef:\s+name: \{\{ \$secret \}\}\s+key: \{\{ \.Values\.secretKeys\.databaseUrl \}\}/);
    expect(checkTemplate(deployment.replace('{{- end }}', ''), 'deployment.yaml')).toEqual(['deployment.yaml: 1 block(s) without "end"']);
    expect(checkTemplate(deployment.replace('}}', '}'), 'deployment.yaml')[0]).toMatch(/"\{\{" but/);
    expect(checkTemplate(deployment.replace('  replicas:', ' replicas:'), 'deployment.yaml')[0]).toMatch(/^deployment\.yaml \(rendered\): /);
  });
});
