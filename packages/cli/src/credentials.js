import { rm } from 'node:fs/promises';
import { readCached, writeCached, cacheFile } from './cache.js';
import { call } from './broker.js';
import { checkDuration } from './duration.js';
import { CliError, EXIT } from './errors.js';
import { fetchEntitlements, listEntitlements, pickEntitlement } from './roles.js';
import { cacheDir } from './session.js';
import { fileRequest, pendingRequestFor, waitForDecision } from './requests.js';

/**
 * @typedef {object} RoleRequest
 * @property {string} account account id or name
 * @property {string} role role name
 * @property {number | undefined} durationSeconds
 * @property {string | undefined} reason
 * @property {{ timeoutMs: number, progress: (line: string) => void } | undefined} [requestIfNeeded] file a request and wait when the role needs approval
 */

/**
 * Temporary credentials for a role, from the cache while they have more than
 * five minutes left, otherwise from a new grant of kind `cli` (recorded by
 * the broker like every grant).
 *
 * The broker is asked first, on every call, even when the cache holds a fresh
 * set: a token revoked in the portal (or a role taken away) must stop the CLI
 * at once, not when the cached credentials run out. On a revoked or expired
 * token the cached credentials of this login are deleted too.
 * @param {import('./session.js').Session} s
 * @param {string} dir config folder
 * @param {RoleRequest} r
 * @returns {Promise<{ credentials: import('./cache.js').ProcessCredentials, aws: import('./roles.js').AwsDefaults }>}
 */
export async function getCredentials(s, dir, r) {
  let listed;
  try {
    listed = await fetchEntitlements(s);
  } catch (err) {
    if (/** @type {{ exitCode?: number }} */ (err).exitCode === EXIT.TOKEN_INVALID) await rm(cacheDir(dir), { recursive: true, force: true });
    throw err;
  }
  let ent = pickEntitlement(listed.items, r.account, r.role);
  checkDuration(r.durationSeconds, ent);
  if (ent.access === 'approval' && !ent.window) {
    // No open window: nothing cached may be used (an ended window ends the credentials' reuse too).
    if (!r.requestIfNeeded) {
      throw new CliError(
        `${r.role} in ${r.account} needs an approved request and none is open: run \`rolegate request\` or pass --request-if-needed --reason "…".`,
        EXIT.APPROVAL_REQUIRED,
        'APPROVAL_REQUIRED',
      );
    }
    if (!r.reason) throw new CliError('--request-if-needed needs --reason "why you need it" (approvers read it).', EXIT.USAGE);
    const wanted = { durationSeconds: r.durationSeconds ?? Math.min(3600, ent.maxDurationSeconds), reason: r.reason };
    const open = await pendingRequestFor(s, ent, wanted);
    const filed = open ?? (await fileRequest(s, ent, wanted));
    r.requestIfNeeded.progress(
      open
        ? `Your request ${open.id} for ${r.role} in ${r.account} is still open; waiting for it.\n`
        : `Requested ${r.role} in ${r.account} (request ${filed.id}); approvers have been asked.\n`,
    );
    await waitForDecision(s, filed.id, r.requestIfNeeded);
    ent = pickEntitlement((await fetchEntitlements(s)).items, r.account, r.role);
  }
  const file = cacheFile(dir, {
    url: s.url,
    tokenId: s.tokenId,
    account: r.account,
    role: r.role,
    reason: r.reason,
    durationSeconds: r.durationSeconds,
    window: ent.window?.requestId,
  });
  const cached = await readCached(file);
  // Never past the window: the broker clips each session to it, and a cached set is checked against it again.
  // A set cached without a grant id (an older CLI) cannot be checked for revocation: it is not reused.
  if (cached?.GrantId && (!ent.window || Date.parse(cached.Expiration) <= Date.parse(ent.window.endsAt))) {
    await checkNotRevoked(s, file, cached.GrantId);
    return { credentials: processCredentials(cached), aws: listed.aws };
  }
  const body = await call(s.url, {
    method: 'POST',
    path: '/api/grants',
    token: s.token,
    body: {
      entitlementId: ent.id,
      kind: 'cli',
      ...(r.durationSeconds ? { durationSeconds: r.durationSeconds } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
    },
  });
  const c = body.credentials;
  if (!c) throw new CliError('The broker answered without credentials.', EXIT.FAILURE);
  /** @type {import('./cache.js').ProcessCredentials} */
  const out = { Version: 1, AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Expiration: c.expiration };
  // The grant id travels in the cache only, so that the next call can ask whether the grant was revoked.
  await writeCached(file, { ...out, GrantId: body.grant.id });
  return { credentials: out, aws: listed.aws };
}

/**
 * The credential_process answer, without the cache's own fields.
 * @param {import('./cache.js').ProcessCredentials} c
 * @returns {import('./cache.js').ProcessCredentials}
 */
function processCredentials(c) {
  return { Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration };
}

/**
 * Asks the broker whether the cached set's grant still holds (a cheap call,
 * cached for a few seconds on the broker). A revoked grant — its own
 * revocation, its person cut off, or its window ended early — is refused,
 * and its cached set deleted, so the SDK never gets credentials AWS now
 * denies.
 * @param {import('./session.js').Session} s
 * @param {string} file
 * @param {string} grantId
 * @throws {CliError} REVOKED (after deleting the cached set); the broker's errors
 */
async function checkNotRevoked(s, file, grantId) {
  const status = await call(s.url, {
    method: 'GET',
    path: /** @type {'/api/grants/:id/status'} */ (`/api/grants/${encodeURIComponent(grantId)}/status`),
    token: s.token,
  });
  if (status.valid) return;
  await rm(file, { force: true });
  const why = status.revoked
    ? status.revoked.kind === 'user'
      ? 'your access was cut off by an admin'
      : 'the grant was revoked'
    : `the grant is ${status.status}`;
  throw new CliError(
    `Rolegate refused the cached credentials of grant ${grantId}: ${why}. They were deleted; AWS denies them. Run the command again for a new grant if you are still entitled.`,
    EXIT.REVOKED,
    'REVOKED',
  );
}

/**
 * A console sign-in URL for a role (a grant of kind `console`).
 * @param {import('./session.js').Session} s
 * @param {RoleRequest & { destination?: string | undefined }} r
 * @returns {Promise<string>}
 */
export async function getConsoleUrl(s, r) {
  const ent = pickEntitlement(await listEntitlements(s), r.account, r.role);
  checkDuration(r.durationSeconds, ent);
  const body = await call(s.url, {
    method: 'POST',
    path: '/api/grants',
    token: s.token,
    body: {
      entitlementId: ent.id,
      kind: 'console',
      ...(r.durationSeconds ? { durationSeconds: r.durationSeconds } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.destination ? { destination: r.destination } : {}),
    },
  });
  if (!body.consoleUrl) throw new CliError('The broker answered without a console sign-in URL.', EXIT.FAILURE);
  return body.consoleUrl;
}
