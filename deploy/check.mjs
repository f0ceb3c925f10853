#!/usr/bin/env node
// Static checks of the packaging files, for CI (apps/api/test/packaging.test.ts
// runs them) and by hand: `node deploy/check.mjs`. helm and docker are not
// needed: YAML is parsed with the `yaml` package, Helm templates are checked
// for balanced actions and blocks, then rendered crudely (actions replaced by
// a placeholder) and parsed as YAML.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `yaml` is a dependency of apps/api (deploy/ has no node_modules of its own).
const YAML = createRequire(path.join(ROOT, 'apps/api/package.json'))('yaml');

/** Parses every YAML document of `text`; returns [docs, problems]. */
function parseAll(name, text) {
  const docs = YAML.parseAllDocuments(text);
  const problems = docs.flatMap((d) => d.errors.map((e) => `${name}: ${e.message.split('\n')[0]}`));
  return [docs.map((d) => d.toJS()), problems];
}

/** docker-compose.yml: Postgres + Rolegate, a keycloak profile, no default for the session secret. */
export function checkCompose(text, name = 'docker-compose.yml') {
  const [[doc], problems] = parseAll(name, text);
  if (problems.length) return problems;
  const services = doc?.services ?? {};
  if (!services.postgres) problems.push(`${name}: no postgres service`);
  const rolegate = services.rolegate;
  if (!rolegate) return [...problems, `${name}: no rolegate service`];
  const env = rolegate.environment ?? {};
  if (!/^\$\{SESSION_SECRET:\?/.test(String(env.SESSION_SECRET ?? '')))
    problems.push(`${name}: SESSION_SECRET must be required from the environment, never defaulted`);
  if (!String(env.DATABASE_URL ?? '').startsWith('postgresql://')) problems.push(`${name}: rolegate has no DATABASE_URL`);
  const keycloak = Object.values(services).find((s) => String(s?.image ?? '').startsWith('quay.io/keycloak/keycloak'));
  if (!keycloak) problems.push(`${name}: no Keycloak service`);
  else if (!(keycloak.profiles ?? []).includes('keycloak')) problems.push(`${name}: the Keycloak service must be in the "keycloak" profile`);
  return problems;
}

/** Chart.yaml: apiVersion v2, a name and a SemVer version. */
export function checkChart(text, name = 'Chart.yaml') {
  const [[doc], problems] = parseAll(name, text);
  if (problems.length) return problems;
  if (doc?.apiVersion !== 'v2') problems.push(`${name}: apiVersion must be v2`);
  if (!doc?.name) problems.push(`${name}: no name`);
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(String(doc?.version ?? ''))) problems.push(`${name}: version must be SemVer`);
  return problems;
}

/** values.yaml: probes on /healthz and /readyz, non-root, resources, a secret reference. */
export function checkValues(text, name = 'values.yaml') {
  const [[doc], problems] = parseAll(name, text);
  if (problems.length) return problems;
  if (doc?.probes?.liveness?.path !== '/healthz') problems.push(`${name}: the liveness probe must use /healthz`);
  if (doc?.probes?.readiness?.path !== '/readyz') problems.push(`${name}: the readiness probe must use /readyz`);
  if (doc?.podSecurityContext?.runAsNonRoot !== true) problems.push(`${name}: podSecurityContext.runAsNonRoot must be true`);
  if (!doc?.resources?.requests || !doc?.resources?.limits) problems.push(`${name}: resources need requests and limits`);
  if (!('existingSecret' in (doc ?? {})) || !doc?.secretKeys?.sessionSecret || !doc?.secretKeys?.databaseUrl) {
    problems.push(`${name}: existingSecret and secretKeys.sessionSecret / databaseUrl are required`);
  }
  // Shutdown: preStop sleep, then a 30 s budget by default (5 s drain + two 10 s outbound timeouts + 5 s);
  // a shorter grace period kills grants in flight.
  if (!(Number(doc?.preStopSleepSeconds) > 0)) problems.push(`${name}: preStopSleepSeconds must be set (endpoints are removed asynchronously)`);
  if (!(Number(doc?.terminationGracePeriodSeconds) > Number(doc?.preStopSleepSeconds ?? 0) + 30)) {
    problems.push(`${name}: terminationGracePeriodSeconds must exceed preStopSleepSeconds + the 30 s shutdown budget`);
  }
  return problems;
}

const ACTION = /\{\{-?([\s\S]*?)-?\}\}/g;
const HAS_ACTION = /\{\{[\s\S]*?\}\}/;
const OPENERS = /^\s*(if|with|range|define|block)\b/;

/** Helm template: balanced {{ }}, every if/with/range/define closed by end, and YAML once rendered crudely. */
export function checkTemplate(text, name) {
  const problems = [];
  const opens = (text.match(/\{\{/g) ?? []).length;
  const closes = (text.match(/\}\}/g) ?? []).length;
  if (opens !== closes) return [`${name}: ${opens} "{{" but ${closes} "}}"`];
  const stripped = text.replace(ACTION, '');
  if (stripped.includes('{{') || stripped.includes('}}')) return [`${name}: nested or unclosed template action`];
  let depth = 0;
  for (const [, body] of text.matchAll(ACTION)) {
    if (body.trim().startsWith('/*')) continue;
    if (OPENERS.test(body)) depth++;
    else if (/^\s*end\b/.test(body)) depth--;
    if (depth < 0) return [`${name}: "end" without an opening block`];
  }
  if (depth !== 0) return [`${name}: ${depth} block(s) without "end"`];
  if (!name.endsWith('.yaml')) return problems;
  // Crude render: lines made only of actions vanish, inline actions become a scalar.
  const rendered = text
    .split('\n')
    .filter((line) => !HAS_ACTION.test(line) || line.replace(ACTION, '').trim() !== '')
    .map((line) => line.replace(ACTION, 'x'))
    .join('\n');
  const [docs, yamlProblems] = parseAll(`${name} (rendered)`, rendered);
  problems.push(...yamlProblems);
  for (const doc of docs) {
    if (doc && (!doc.apiVersion || !doc.kind)) problems.push(`${name}: a rendered document has no apiVersion/kind`);
  }
  return problems;
}

/** Dockerfile: multi-stage, the final stage runs as a non-root user, no secrets baked in. */
export function checkDockerfile(text, name = 'Dockerfile') {
  const problems = [];
  const stages = text.split(/^FROM\s/m).slice(1);
  if (stages.length < 2) problems.push(`${name}: not a multi-stage build`);
  const users = [...(stages.at(-1) ?? '').matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  const user = users.at(-1);
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`${name}: the final stage must switch to a non-root USER`);
  if (/^(ENV|ARG)\s+[^\n]*(SECRET|PASSWORD|TOKEN)[A-Z_]*=/im.test(text)) problems.push(`${name}: a secret is set at build time`);
  // Node 20 is past its end of life; the image runs on Node 24 LTS.
  const nodeImage = /^ARG\s+NODE_IMAGE=node:(\d+)\b/m.exec(text)?.[1];
  if (nodeImage !== '24') problems.push(`${name}: NODE_IMAGE must be a Node 24 LTS image (node:24-…)`);
  return problems;
}

/** Every packaging check over the repository's files; returns the problems (empty = fine). */
export function checkRepository(root = ROOT) {
  const read = (p) => readFileSync(path.join(root, p), 'utf8');
  const chart = 'deploy/helm/rolegate';
  const problems = [
    ...checkCompose(read('docker-compose.yml')),
    ...checkChart(read(`${chart}/Chart.yaml`)),
    ...checkValues(read(`${chart}/values.yaml`)),
    ...checkDockerfile(read('Dockerfile')),
  ];
  for (const file of readdirSync(path.join(root, chart, 'templates')).sort()) {
    problems.push(...checkTemplate(read(`${chart}/templates/${file}`), `templates/${file}`));
  }
  const realmProblems = [];
  try {
    const realm = JSON.parse(read('deploy/keycloak/rolegate-realm.json'));
    if (!realm.clients?.some((c) => c.clientId === 'rolegate')) realmProblems.push('rolegate-realm.json: no "rolegate" client');
  } catch (err) {
    realmProblems.push(`rolegate-realm.json: ${err.message}`);
  }
  problems.push(...realmProblems);
  const ignore = read('.dockerignore');
  for (const entry of ['node_modules', '.env']) if (!ignore.split('\n').includes(entry)) problems.push(`.dockerignore: must list ${entry}`);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkRepository();
  for (const p of problems) process.stderr.write(`deploy/check: ${p}\n`);
  process.stdout.write(problems.length ? '' : 'deploy/check: docker-compose.yml, Dockerfile, Helm chart and Keycloak realm look fine\n');
  process.exit(problems.length ? 1 : 0);
}
