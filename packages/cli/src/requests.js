import { call } from './broker.js';
import { CliError, EXIT } from './errors.js';

/**
 * Files an access request for an approval role.
 * @param {import('./session.js').Session} s
 * @param {{ id: string }} ent the entitlement
 * @param {{ durationSeconds: number, reason: string, breakGlass?: boolean }} r
 */
export async function fileRequest(s, ent, r) {
  const body = await call(s.url, {
    method: 'POST',
    path: '/api/requests',
    token: s.token,
    body: { entitlementId: ent.id, durationSeconds: r.durationSeconds, reason: r.reason, ...(r.breakGlass ? { breakGlass: true } : {}) },
  });
  return body.request;
}

/**
 * The person's own pending request for this entitlement with the same
 * duration and reason, if one is open, so that a repeated
 * `--request-if-needed` waits on it instead of filing another
 * (credential_process runs on every SDK client; approvers would get one
 * request per run).
 * @param {import('./session.js').Session} s
 * @param {{ id: string }} ent the entitlement
 * @param {{ durationSeconds: number, reason: string }} r
 * @returns {Promise<{ id: string } | undefined>}
 */
export async function pendingRequestFor(s, ent, r) {
  const body = await call(s.url, {
    method: 'GET',
    path: /** @type {'/api/requests'} */ ('/api/requests?scope=mine&status=pending'),
    token: s.token,
  });
  return body.items.find(
    (/** @type {{ mappingId: string, status: string, durationSeconds: number, reason: string, breakGlass: boolean }} */ q) =>
      q.mappingId === ent.id && q.status === 'pending' && !q.breakGlass && q.durationSeconds === r.durationSeconds && q.reason === r.reason,
  );
}

/**
 * Waits until a request is decided: resolves when it is approved, throws
 * when it is denied, expires, is cancelled, or `timeoutMs` passes. Progress
 * goes to `progress` (stderr), never stdout (credential_process reads that).
 * @param {import('./session.js').Session} s
 * @param {string} id
 * @param {{ timeoutMs: number, intervalMs?: number, progress: (line: string) => void, sleep?: (ms: number) => Promise<void> }} opts
 */
export async function waitForDecision(s, id, opts) {
  const sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    const { request } = await call(s.url, {
      method: 'GET',
      path: /** @type {'/api/requests/:id'} */ (`/api/requests/${encodeURIComponent(id)}`),
      token: s.token,
    });
    if (request.status === 'approved') return request;
    if (request.status !== 'pending')
      throw new CliError(`The request was ${request.status}.`, EXIT.APPROVAL_REQUIRED, 'REQUEST_' + request.status.toUpperCase());
    const line = `Waiting for approval (${request.progress.needed} more needed)…`;
    if (line !== last) opts.progress(`${line}\n`);
    last = line;
    if (Date.now() >= deadline)
      throw new CliError(
        `Still waiting for approval after ${Math.round(opts.timeoutMs / 1000)} s; the request stays open (${id}).`,
        EXIT.APPROVAL_REQUIRED,
        'WAIT_TIMEOUT',
      );
    await sleep(Math.min(opts.intervalMs ?? 3000, Math.max(0, deadline - Date.now())));
  }
}
