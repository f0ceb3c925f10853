import { brokerError, CliError, EXIT } from './errors.js';
import { VERSION } from './version.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/**
 * Normalises a broker URL. https only, or plain http to a loopback host
 * (demo and tests): a token must never cross a network in the clear.
 * @param {string | undefined} value
 * @returns {string} origin plus path, no trailing slash
 * @throws {CliError} USAGE
 */
export function brokerUrl(value) {
  if (!value) throw new CliError('Pass the broker URL: --url https://rolegate.example.com', EXIT.USAGE);
  let u;
  try {
    u = new URL(value);
  } catch {
    throw new CliError(`--url: "${value}" is not a URL`, EXIT.USAGE);
  }
  if (!(u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname)))) {
    throw new CliError('--url must be https (plain http only for 127.0.0.1, ::1 or localhost)', EXIT.USAGE);
  }
  if (u.username || u.password || u.search || u.hash) throw new CliError('--url must not carry credentials, a query or a fragment', EXIT.USAGE);
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/**
 * One JSON call to the broker.
 * @param {string} base broker URL
 * @param {{ method?: string, path: string, token?: string, body?: unknown, timeoutMs?: number }} req
 * @returns {Promise<any>} the parsed body (undefined for 204)
 * @throws {CliError} BROKER_UNREACHABLE when it cannot be reached; mapped codes otherwise
 */
export async function call(base, req) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', 'user-agent': `rolegate-cli/${VERSION} node/${process.versions.node}` };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(`${base}${req.path}`, {
      method: req.method ?? 'GET',
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const cause = /** @type {{ cause?: { code?: string }, name?: string }} */ (err);
    const why = cause.name === 'TimeoutError' ? 'timed out' : (cause.cause?.code ?? 'connection failed');
    throw new CliError(`Cannot reach the broker at ${base} (${why}).`, EXIT.BROKER_UNREACHABLE);
  }
  const text = await res.text();
  /** @type {unknown} */
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    if (res.status >= 500 && body === undefined) throw new CliError(`The broker at ${base} is unavailable (HTTP ${res.status}).`, EXIT.BROKER_UNREACHABLE);
    throw brokerError(res.status, body);
  }
  if (res.status !== 204 && body === undefined) throw new CliError(`The broker at ${base} sent an unexpected answer (HTTP ${res.status}); is --url right?`, EXIT.FAILURE);
  return body;
}
