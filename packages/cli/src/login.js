import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { call } from './broker.js';
import { openBrowser } from './browser.js';
import { CliError, EXIT } from './errors.js';

/** How long `rolegate login` waits for the browser. */
const LOGIN_TIMEOUT_MS = 5 * 60 * 1000;

/** @typedef {import('@rolegate/contract').CliTokenResponse} TokenResponse */

/** PKCE (RFC 7636): a verifier and its S256 challenge. */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * Constant-time comparison of the state sent back to the listener.
 * @param {unknown} got
 * @param {string} expected
 */
export function stateMatches(got, expected) {
  if (typeof got !== 'string') return false;
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Loopback login: a one-shot listener on 127.0.0.1 receives the one-time
 * code after the user approves in the browser. Only a callback carrying our
 * random `state` is accepted, so another local process cannot inject a code
 * (a token of someone else's account); the code is worthless without our
 * PKCE verifier, so a process that sees it cannot redeem it.
 * @param {string} base broker URL
 * @param {{ label: string, log: (line: string) => void, env?: NodeJS.ProcessEnv }} opts
 * @returns {Promise<TokenResponse>}
 */
export async function loopbackLogin(base, opts) {
  const state = randomBytes(24).toString('base64url');
  const { verifier, challenge } = pkcePair();
  let settled = false;
  /** @type {(v: TokenResponse) => void} */
  let resolveLogin = () => {};
  /** @type {(e: unknown) => void} */
  let rejectLogin = () => {};
  const done = new Promise((resolve, reject) => {
    resolveLogin = resolve;
    rejectLogin = reject;
  });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = (/** @type {number} */ status, /** @type {string} */ title, /** @type {string} */ text) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`);
    };
    if (req.method !== 'GET' || url.pathname !== '/callback') return reply(404, 'Not found', 'Nothing here.');
    if (settled || !stateMatches(url.searchParams.get('state'), state)) {
      return reply(400, 'Sign-in refused', 'This sign-in does not belong to the waiting rolegate command.');
    }
    const code = url.searchParams.get('code');
    if (!code) return reply(400, 'Sign-in refused', 'The code is missing.');
    settled = true;
    call(base, { method: 'POST', path: '/api/cli/token', body: { code, codeVerifier: verifier } }).then(
      (/** @type {TokenResponse} */ t) => {
        reply(200, 'Rolegate CLI signed in', 'You can close this window and return to your terminal.');
        resolveLogin(t);
      },
      (err) => {
        reply(400, 'Sign-in failed', 'Return to your terminal for details.');
        rejectLogin(err);
      },
    );
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const params = new URLSearchParams({ port: String(port), state, code_challenge: challenge, label: opts.label });
  const loginUrl = `${base}/cli/login?${params.toString()}`;
  const opened = openBrowser(loginUrl, opts.env);
  opts.log(`${opened ? 'Opening your browser to sign in. If it does not open, visit' : 'Open this URL in your browser to sign in'}:\n  ${loginUrl}`);
  const timer = setTimeout(() => rejectLogin(new CliError('Timed out waiting for the browser sign-in.', EXIT.FAILURE)), LOGIN_TIMEOUT_MS);
  try {
    return /** @type {TokenResponse} */ (await done);
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}

/**
 * Device-style login for machines without a browser: print a URL and a short
 * code, then poll until the user confirmed it in a browser elsewhere.
 * @param {string} base
 * @param {{ label: string, log: (line: string) => void }} opts
 * @returns {Promise<TokenResponse>}
 */
export async function deviceLogin(base, opts) {
  const start = await call(base, { method: 'POST', path: '/api/cli/device', body: { label: opts.label } });
  opts.log(`To sign in, open ${start.verificationUri} in a browser and enter the code:\n\n    ${start.userCode}\n`);
  const deadline = Date.now() + Math.min(start.expiresIn, 3600) * 1000;
  let interval = Math.max(1, Math.min(start.interval, 30)) * 1000;
  // RFC 8628 §3.5: keep polling while pending, back off by 5 s on slow_down,
  // stop at once on access_denied or expired_token.
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, interval));
    try {
      return await call(base, { method: 'POST', path: '/api/cli/token', body: { deviceCode: start.deviceCode } });
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (err.code === 'AUTHORIZATION_PENDING') continue;
      if (err.code === 'SLOW_DOWN') {
        interval += 5000;
        continue;
      }
      if (err.code === 'ACCESS_DENIED') throw new CliError('The sign-in was denied in the browser.', EXIT.FAILURE);
      if (err.code === 'EXPIRED_TOKEN') break;
      throw err;
    }
  }
  throw new CliError('The code was not confirmed in time; run `rolegate login --no-browser` again.', EXIT.FAILURE);
}

/** A label for the token, shown in the portal: this machine's host name. */
export function defaultLabel() {
  return os.hostname().slice(0, 64);
}
