// Editing ~/.aws/config: rolegate's profiles are written or replaced in
// place; every other line of the file stays byte for byte as it was.
import { CliError, EXIT } from './errors.js';

/** First body line of every profile rolegate writes. */
export const MANAGED_MARKER = '# managed by rolegate configure';

/**
 * @typedef {object} Section
 * @property {string | null} name normalised header ("profile x", "default", "sso-session y"); null for lines before the first header
 * @property {string[]} lines the raw lines, header included
 */

/**
 * @typedef {object} Profile
 * @property {string} name profile name (without "profile ")
 * @property {string[]} body key = value lines
 */

const HEADER = /^\s*\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/;

/**
 * Splits an INI text into sections, keeping every line as it was.
 * @param {string} text
 * @returns {Section[]}
 */
export function parseSections(text) {
  const lines = text.length === 0 ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  /** @type {Section[]} */
  const sections = [{ name: null, lines: [] }];
  for (const line of lines) {
    const m = HEADER.exec(line);
    if (m) sections.push({ name: (m[1] ?? '').replace(/\s+/g, ' '), lines: [line] });
    else /** @type {Section} */ (sections.at(-1)).lines.push(line);
  }
  return sections;
}

/**
 * Quotes a word for the shell that runs credential_process (only when needed).
 * @param {string} word
 */
export function shellQuote(word) {
  return /^[A-Za-z0-9_./:=@,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A profile name made of safe characters.
 * @param {string} s
 */
const safeName = (s) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');

/**
 * A region as it may be written into the config file: AWS's shape
 * (`eu-central-1`, `us-gov-west-1`). Anything else — above all a line break,
 * which would smuggle another `key = value` (say a second credential_process)
 * into the profile — is refused.
 * @param {string} region
 * @returns {string}
 * @throws {CliError} USAGE
 */
export function checkRegion(region) {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new CliError(`--region: "${region}" is not an AWS region (e.g. eu-central-1)`, EXIT.USAGE);
  return region;
}

/**
 * An endpoint URL as it may be written into the config file: http(s), no
 * whitespace or control characters (so nothing can be appended to the line).
 * @param {string} url
 * @returns {string | undefined} undefined when unusable
 */
export function safeEndpointUrl(url) {
  if (!/^https?:\/\/[\x21-\x7e]+$/.test(url)) return undefined;
  try {
    return new URL(url).toString().replace(/\/$/, '');
  } catch {
    return undefined;
  }
}

/**
 * The profiles for a list of entitlements: `<prefix>-<account name>-<role>`
 * with `credential_process = <command> credentials --account <id> --role <role>`,
 * the region, and in demo mode `endpoint_url` (the local emulator).
 * @param {import('./roles.js').Entitlement[]} items
 * @param {{ prefix: string, command: string, region?: string | undefined, endpointUrl?: string | undefined }} opts
 * @returns {Profile[]}
 */
export function profilesFor(items, opts) {
  /** @type {Map<string, Profile>} */
  const out = new Map();
  for (const e of items) {
    let name = `${safeName(opts.prefix)}-${safeName(e.accountName) || e.accountId}-${safeName(e.roleName)}`;
    if (out.has(name)) name = `${safeName(opts.prefix)}-${e.accountId}-${safeName(e.roleName)}`;
    const args = ['credentials', '--account', e.accountId, '--role', e.roleName].map(shellQuote).join(' ');
    const body = [MANAGED_MARKER, `credential_process = ${opts.command} ${args}`];
    if (opts.region) body.push(`region = ${opts.region}`);
    if (opts.endpointUrl) body.push(`endpoint_url = ${opts.endpointUrl}`);
    if (e.requireReason) body.push('# this role requires a reason: add --reason "..." to credential_process');
    out.set(name, { name, body });
  }
  return [...out.values()];
}

/**
 * Writes `profiles` into an AWS config text. Existing sections of the same
 * name are replaced in place; sections rolegate wrote earlier (marked, with
 * the same prefix) that are no longer wanted are removed; everything else is
 * left untouched.
 * @param {string} text current file content ('' when absent)
 * @param {Profile[]} profiles
 * @param {string} prefix
 * @returns {string}
 */
export function applyProfiles(text, profiles, prefix) {
  const wanted = new Map(profiles.map((p) => [`profile ${p.name}`, p]));
  const done = new Set();
  /** @type {string[]} */
  const out = [];
  for (const s of parseSections(text)) {
    const p = s.name === null ? undefined : wanted.get(s.name);
    if (p) {
      const trailing = s.lines.length - 1 - lastNonBlank(s.lines);
      out.push(`[profile ${p.name}]`, ...p.body, ...Array(Math.max(trailing, 0)).fill(''));
      done.add(s.name);
    } else if (s.name !== null && s.name.startsWith(`profile ${safeName(prefix)}-`) && s.lines.some((l) => l.trim() === MANAGED_MARKER)) {
      continue; // a role we wrote earlier and that is no longer yours
    } else {
      out.push(...s.lines);
    }
  }
  for (const [key, p] of wanted) {
    if (done.has(key)) continue;
    if (out.length > 0 && out.at(-1)?.trim() !== '') out.push('');
    out.push(`[profile ${p.name}]`, ...p.body);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** @param {string[]} lines */
function lastNonBlank(lines) {
  for (let i = lines.length - 1; i >= 0; i--) if ((lines[i] ?? '').trim() !== '') return i;
  return 0;
}

/**
 * A line diff of two texts (`-` removed, `+` added, two lines of context).
 * Empty when they are equal.
 * @param {string} before
 * @param {string} after
 * @returns {string}
 */
export function lineDiff(before, after) {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  // Longest common subsequence table (AWS config files are small).
  const w = b.length + 1;
  const table = new Int32Array((a.length + 1) * w);
  /** @type {(i: number, j: number) => number} */
  const lcs = (i, j) => table[i * w + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * w + j] = a[i] === b[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
    }
  }
  /** @type {{ op: ' ' | '-' | '+', line: string }[]} */
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i++] ?? '' });
      j++;
    } else if (j < b.length && (i >= a.length || lcs(i, j + 1) >= lcs(i + 1, j))) ops.push({ op: '+', line: b[j++] ?? '' });
    else ops.push({ op: '-', line: a[i++] ?? '' });
  }
  const keep = ops.map((o, k) => o.op !== ' ' || ops.slice(Math.max(0, k - 2), k + 3).some((x) => x.op !== ' '));
  /** @type {string[]} */
  const lines = [];
  ops.forEach((o, k) => {
    if (keep[k]) lines.push(`${o.op} ${o.line}`);
    else if (keep[k - 1]) lines.push('  …');
  });
  return ops.some((o) => o.op !== ' ') ? `${lines.join('\n')}\n` : '';
}
