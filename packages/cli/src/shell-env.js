// `rolegate env`: the lines that set AWS credentials in a shell, for the
// shells people paste into (bash/zsh, fish, PowerShell, cmd).
import { CliError, EXIT } from './errors.js';

/** Shells `rolegate env --shell` knows. */
export const SHELLS = /** @type {const} */ (['bash', 'zsh', 'fish', 'powershell', 'cmd']);

/** @typedef {typeof SHELLS[number]} Shell */

/**
 * The shell to write for when `--shell` is not given.
 * @param {NodeJS.Platform} platform
 * @returns {Shell}
 */
export function defaultShell(platform) {
  return platform === 'win32' ? 'powershell' : 'bash';
}

/**
 * One assignment for `shell`. Values are quoted so that nothing in them is
 * expanded or ends the statement; for cmd, which has no quoting that stops
 * `%` expansion, values carrying `%`, `"` or a line break are refused (AWS
 * keys, tokens, regions and URLs never do).
 * @param {Shell} shell
 * @param {string} name
 * @param {string} value
 */
export function assignment(shell, name, value) {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `export ${name}='${value.replace(/'/g, `'\\''`)}'`;
    case 'fish':
      return `set -gx ${name} '${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    case 'powershell':
      return `$Env:${name} = '${value.replace(/'/g, "''")}'`;
    case 'cmd':
      if (/[%"\r\n]/.test(value)) throw new CliError(`${name} cannot be written for cmd safely; use --shell powershell`, EXIT.FAILURE);
      return `set "${name}=${value}"`;
  }
}

/**
 * The block for `rolegate env`: a comment line, then credentials, expiry,
 * region (AWS_REGION and AWS_DEFAULT_REGION, read by the SDKs and the AWS CLI)
 * and, in demo mode, the emulator's STS endpoint.
 * @param {Shell} shell
 * @param {import('./cache.js').ProcessCredentials} c
 * @param {{ region?: string | undefined, stsEndpoint?: string | undefined, label: string }} opts
 * @returns {string}
 */
export function envBlock(shell, c, opts) {
  /** @type {[string, string][]} */
  const vars = [
    ['AWS_ACCESS_KEY_ID', c.AccessKeyId],
    ['AWS_SECRET_ACCESS_KEY', c.SecretAccessKey],
    ['AWS_SESSION_TOKEN', c.SessionToken],
    ['AWS_CREDENTIAL_EXPIRATION', c.Expiration],
  ];
  if (opts.region) vars.push(['AWS_REGION', opts.region], ['AWS_DEFAULT_REGION', opts.region]);
  if (opts.stsEndpoint) vars.push(['AWS_ENDPOINT_URL_STS', opts.stsEndpoint]);
  // Account and role names come from the broker: only plain characters reach the comment line.
  const label = opts.label.replace(/[^A-Za-z0-9 _.,@/:+=-]/g, '?');
  const comment = `${shell === 'cmd' ? 'REM' : '#'} Rolegate: ${label}, valid until ${c.Expiration}`;
  return `${[comment, ...vars.map(([k, v]) => assignment(shell, k, v))].join('\n')}\n`;
}
