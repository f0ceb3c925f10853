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
 * One JSON call to the broker. Typed against the contract's route table
 * (types only: the CLI carries no zod at run time): method and path must name
 * a route of `ROUTES`, the body must be that route's request body, and the
 * answer is that route's success body. A route renamed or reshaped on the
 * server fails the CLI's typecheck.
 * @template {'GET' | 'POST' | 'PUT' | 'DELETE'} M
 * @template {import('@rolegate/contract').PathFor<M>} P
 * @param {string} base broker URL
 * @param {{ method: M, path: P, token?: string, body?: import('@rolegate/contract').RequestBodyAt<M, P>, timeoutMs?: number }} req
 * @returns {Promise<import('@rolegate/contract').SuccessBodyAt<M, P>>} the parsed body (undefined for 204)
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
      method: req.method,
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
  if (res.status !== 204 && body === undefined)
    throw new CliError(`The broker at ${base} sent an unexpected answer (HTTP ${res.status}); is --url right?`, EXIT.FAILURE);
  return /** @type {import('@rolegate/contract').SuccessBodyAt<M, P>} */ (body);
}
