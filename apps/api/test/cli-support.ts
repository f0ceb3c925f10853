// Helpers shared by the CLI test files: the browser side of a CLI sign-in,
// driven by HTTP with a signed-in TestBrowser, and running the real CLI.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestBrowser } from './support/http-client.js';

export const CLI_BIN = path.resolve(import.meta.dirname, '../../../packages/cli/bin/rolegate.js');

/** Hidden and text inputs of the first form in an HTML page. */
export function formFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*\bname="([^"]+)"[^>]*\bvalue="([^"]*)"/g)) {
    out[m[1]!] = m[2]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return out;
}

/** Posts an HTML form (urlencoded) as the browser would. */
export function postForm(b: TestBrowser, path: string, fields: Record<string, string>, opts: { csrf?: boolean } = {}) {
  return b.request('POST', path, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    csrf: opts.csrf ?? false,
  });
}

/** A PKCE pair and state as the CLI makes them. */
export function loopbackStart(port = 49152) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(24).toString('base64url');
  return {
    verifier,
    challenge,
    state,
    port,
    query: new URLSearchParams({ port: String(port), state, code_challenge: challenge, label: 'test-host' }).toString(),
  };
}

/** The browser half of a loopback login: confirm page, form POST; returns the redirect to the CLI. */
export async function approveLoopback(b: TestBrowser, loginPath: string) {
  const page = await b.get(loginPath, { accept: 'text/html' });
  if (page.status !== 200) throw new Error(`confirm page: ${page.status} ${page.text}`);
  const res = await postForm(b, '/cli/login', formFields(page.text));
  if (res.status !== 302 || !res.location) throw new Error(`confirm POST: ${res.status} ${res.text}`);
  return new URL(res.location);
}

/**
 * The browser half of a device login: type the code on /cli/device, read the
 * confirmation page, press Approve (or Deny). Returns the final page and the confirmation page.
 */
export async function decideDevice(b: TestBrowser, userCode: string, decision: 'approve' | 'deny' = 'approve') {
  const form = await b.get('/cli/device', { accept: 'text/html' });
  if (form.status !== 200) throw new Error(`device form: ${form.status} ${form.text}`);
  const confirm = await postForm(b, '/cli/device', { ...formFields(form.text), user_code: userCode });
  if (confirm.status !== 200) throw new Error(`device lookup: ${confirm.status} ${confirm.text}`);
  const done = await postForm(b, '/cli/device/decide', { ...formFields(confirm.text), decision });
  return { confirm, done };
}

/** Signs in a CLI by HTTP only (no listener) and returns the issued token. */
export async function cliTokenFor(b: TestBrowser): Promise<{ token: string; tokenId: string; expiresAt: string }> {
  const s = loopbackStart();
  const back = await approveLoopback(b, `/cli/login?${s.query}`);
  const res = await fetch(`${b.baseUrl}/api/cli/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: back.searchParams.get('code'), codeVerifier: s.verifier }),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()) as { token: string; tokenId: string; expiresAt: string };
}

/** A request with a bearer token (and, when given, a browser's cookies). */
/**
 * A fresh HOME for the CLI, signed in with a new CLI token of `b`: the
 * session file as `rolegate login` writes it (0600 in the CLI's 0700 config
 * folder). @returns the CLI's environment (HOME, XDG_CONFIG_HOME, AWS_CONFIG_FILE, BROWSER=none)
 */
export async function signedInCliEnv(baseUrl: string, b: TestBrowser, tmpPrefix: string): Promise<Record<string, string>> {
  const t = await cliTokenFor(b);
  const home = await mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg'), AWS_CONFIG_FILE: path.join(home, 'aws-config'), BROWSER: 'none' };
  const configDir = path.join(env.XDG_CONFIG_HOME, 'rolegate');
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(configDir, 'session.json'), JSON.stringify({ url: baseUrl, token: t.token, tokenId: t.tokenId, expiresAt: t.expiresAt }), {
    mode: 0o600,
  });
  return env;
}

export async function bearer(baseUrl: string, token: string, method: string, path: string, opts: { json?: unknown; cookie?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: opts.json === undefined ? undefined : JSON.stringify(opts.json), redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running CLI: its output so far, and a way to wait for a line or the exit. */
export function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    exited,
    /** Resolves with the first match of `re` in stderr. */
    async waitFor(re: RegExp): Promise<RegExpMatchArray> {
      for (;;) {
        const m = stderr.match(re);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`CLI exited (${child.exitCode}) before printing ${re}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return startCli(args, env).exited;
}

/** Accounts and mappings shared by the CLI test files. */
export const CLI_TEST_MAPPINGS = `
accounts:
  - { id: "111111111111", name: sandbox }
  - { id: "222222222222", name: production }
mappings:
  - { group: engineers, roleArn: "arn:aws:iam::111111111111:role/Developer", maxDurationSeconds: 14400 }
  - { group: engineers, roleArn: "arn:aws:iam::222222222222:role/ReadOnly", maxDurationSeconds: 3600, requireReason: true }
  - { group: platform-admins, roleArn: "arn:aws:iam::222222222222:role/platform/Administrator", maxDurationSeconds: 3600 }
`;
