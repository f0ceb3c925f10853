import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { applyProfiles, checkRegion, lineDiff, profilesFor, safeEndpointUrl } from './aws-config.js';
import { brokerUrl, call } from './broker.js';
import { openBrowser } from './browser.js';
import { getConsoleUrl, getCredentials } from './credentials.js';
import { parseDuration } from './duration.js';
import { CliError, EXIT } from './errors.js';
import { awsConfigFile, configDir, ensurePrivateDir, writeFileAtomic, modeOf } from './files.js';
import { defaultLabel, deviceLogin, loopbackLogin } from './login.js';
import { fetchEntitlements, listEntitlements, pickEntitlement } from './roles.js';
import { fileRequest, waitForDecision } from './requests.js';
import { deleteLocalState, loadSession, requireSession, saveSession } from './session.js';
import { defaultShell, envBlock, SHELLS } from './shell-env.js';
import { VERSION } from './version.js';

const HELP = `rolegate ${VERSION} — AWS credentials from a Rolegate broker

Usage:
  rolegate login --url <broker> [--no-browser] [--label <name>]
  rolegate ls [--json]
  rolegate credentials --account <id|name> --role <name> [--duration 1h] [--reason <text>] [--request-if-needed [--wait-timeout 15m]]
  rolegate request <profile> | --account <id|name> --role <name>  --reason <text> [--duration 1h] [--break-glass] [--wait [--wait-timeout 15m]]
  rolegate configure [--dry-run] [--prefix rolegate] [--command rolegate] [--region <region>]
  rolegate env --account <id|name> --role <name> [--shell bash|zsh|fish|powershell|cmd] [--duration 1h] [--reason <text>] [--region <region>]
  rolegate exec --account <id|name> --role <name> [--duration 1h] [--reason <text>] -- <command> [args...]
  rolegate console --account <id|name> --role <name> [--duration 1h] [--reason <text>] [--destination <url>] [--print]
  rolegate logout

Files: the token and cached credentials live in $XDG_CONFIG_HOME/rolegate
(default ~/.config/rolegate), mode 0600. configure edits $AWS_CONFIG_FILE
(default ~/.aws/config).

Exit codes: 0 ok, 1 failure, 2 usage, 3 not logged in, 4 token expired or
revoked, 5 not entitled, 6 broker unreachable, 7 reason required, 8 approval
required (no open access window; or the request was denied, expired or not
decided in time), 9 revoked (the cached credentials' grant was revoked or its
person cut off; they were deleted).
`;

/**
 * @typedef {object} Io
 * @property {(s: string) => void} stdout
 * @property {(s: string) => void} stderr
 * @property {NodeJS.ProcessEnv} env
 * @property {((question: string) => Promise<string>) | undefined} [ask] a question on the terminal; undefined when not interactive
 */

const roleOptions = /** @type {const} */ ({
  account: { type: 'string' },
  role: { type: 'string' },
  duration: { type: 'string' },
  reason: { type: 'string' },
});

/**
 * @param {{ account?: string | undefined, role?: string | undefined, duration?: string | undefined, reason?: string | undefined }} v
 * @returns {import('./credentials.js').RoleRequest}
 */
function roleRequest(v) {
  if (!v.account || !v.role) throw new CliError('Pass --account <id|name> and --role <name> (see `rolegate ls`).', EXIT.USAGE);
  return { account: v.account, role: v.role, durationSeconds: parseDuration(v.duration), reason: v.reason };
}

/**
 * @template {import('node:util').ParseArgsConfig['options']} O
 * @param {string[]} args
 * @param {O} options
 * @param {boolean} [positionals]
 */
function parse(args, options, positionals = false) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new CliError(`${/** @type {Error} */ (err).message}\n\n${HELP}`, EXIT.USAGE);
  }
}

/** @type {Record<string, (args: string[], io: Io) => Promise<number>>} */
const commands = {
  async login(args, io) {
    const { values } = parse(args, { url: { type: 'string' }, 'no-browser': { type: 'boolean' }, label: { type: 'string' } });
    const dir = configDir(io.env);
    const previous = await loadSession(dir);
    const base = brokerUrl(values.url ?? io.env.ROLEGATE_URL ?? previous?.url);
    const label = (values.label ?? defaultLabel()).slice(0, 64);
    const log = (/** @type {string} */ line) => io.stderr(`${line}\n`);
    const t = values['no-browser'] ? await deviceLogin(base, { label, log }) : await loopbackLogin(base, { label, log, env: io.env });
    await deleteLocalState(dir); // credentials cached for an earlier login must not outlive it
    await saveSession({ url: base, token: t.token, tokenId: t.tokenId, expiresAt: t.expiresAt, ...(t.user?.email ? { email: t.user.email } : {}) }, dir);
    io.stderr(`Signed in${t.user?.email ? ` as ${t.user.email}` : ''} to ${base}; the CLI token expires at ${t.expiresAt}.\n`);
    return EXIT.OK;
  },

  async ls(args, io) {
    const { values } = parse(args, { json: { type: 'boolean' } });
    const items = await listEntitlements(await requireSession(configDir(io.env)));
    if (values.json) {
      io.stdout(`${JSON.stringify(items, null, 2)}\n`);
      return EXIT.OK;
    }
    if (items.length === 0) {
      io.stderr('You have no roles.\n');
      return EXIT.OK;
    }
    const rows = [
      ['ACCOUNT', 'NAME', 'ROLE', 'MAX', 'REASON'],
      ...items.map((e) => [e.accountId, e.accountName, e.roleName, `${e.maxDurationSeconds / 3600}h`, e.requireReason ? 'required' : '']),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    io.stdout(
      rows
        .map((r) =>
          r
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        )
        .join('\n') + '\n',
    );
    return EXIT.OK;
  },

  async credentials(args, io) {
    const { values } = parse(args, { ...roleOptions, 'request-if-needed': { type: 'boolean' }, 'wait-timeout': { type: 'string' } });
    const dir = configDir(io.env);
    const r = roleRequest(values);
    if (values['request-if-needed']) r.requestIfNeeded = { timeoutMs: waitTimeoutMs(values['wait-timeout']), progress: io.stderr };
    const { credentials } = await getCredentials(await requireSession(dir), dir, r);
    io.stdout(`${JSON.stringify(credentials)}\n`);
    return EXIT.OK;
  },

  async request(args, io) {
    const { values, positionals } = parse(
      args,
      { ...roleOptions, wait: { type: 'boolean' }, 'wait-timeout': { type: 'string' }, 'break-glass': { type: 'boolean' } },
      true,
    );
    if (positionals.length > 1) throw new CliError('Name one profile (or pass --account and --role).', EXIT.USAGE);
    const fromProfile = positionals[0] ? await roleOfProfile(awsConfigFile(io.env), positionals[0]) : {};
    const r = roleRequest({ ...fromProfile, ...values });
    if (!r.reason) throw new CliError('Pass --reason "why you need it" (approvers read it).', EXIT.USAGE);
    const s = await requireSession(configDir(io.env));
    const ent = pickEntitlement(await listEntitlements(s), r.account, r.role);
    if (ent.access !== 'approval') throw new CliError(`${r.role} in ${r.account} needs no approval: use it directly.`, EXIT.USAGE);
    const filed = await fileRequest(s, ent, {
      durationSeconds: r.durationSeconds ?? Math.min(3600, ent.maxDurationSeconds),
      reason: r.reason,
      breakGlass: values['break-glass'] === true,
    });
    io.stdout(`${JSON.stringify({ id: filed.id, status: filed.status })}\n`);
    if (filed.status === 'approved' || !values.wait) {
      io.stderr(filed.status === 'approved' ? 'Approved at once (break-glass): an admin will review it.\n' : `Request ${filed.id} is waiting for approval.\n`);
      return EXIT.OK;
    }
    await waitForDecision(s, filed.id, { timeoutMs: waitTimeoutMs(values['wait-timeout']), progress: io.stderr });
    io.stderr('Approved: the access window is open.\n');
    return EXIT.OK;
  },

  async env(args, io) {
    const { values } = parse(args, { ...roleOptions, shell: { type: 'string' }, region: { type: 'string' } });
    const shell = values.shell ?? defaultShell(process.platform);
    if (!(/** @type {readonly string[]} */ (SHELLS).includes(shell))) throw new CliError(`--shell must be one of ${SHELLS.join(', ')}`, EXIT.USAGE);
    const region = values.region === undefined ? undefined : checkRegion(values.region);
    const dir = configDir(io.env);
    const r = roleRequest(values);
    const { credentials, aws } = await getCredentials(await requireSession(dir), dir, r);
    const stsEndpoint = aws.stsEndpoint ? safeEndpointUrl(aws.stsEndpoint) : undefined;
    io.stdout(
      envBlock(/** @type {import('./shell-env.js').Shell} */ (shell), credentials, {
        region: region ?? aws.region,
        stsEndpoint,
        label: `${r.role} in ${r.account}`,
      }),
    );
    return EXIT.OK;
  },

  async configure(args, io) {
    const { values } = parse(args, {
      'dry-run': { type: 'boolean' },
      prefix: { type: 'string', default: 'rolegate' },
      command: { type: 'string', default: 'rolegate' },
      region: { type: 'string' },
    });
    const { items, aws } = await fetchEntitlements(await requireSession(configDir(io.env)));
    let region = values.region;
    if (region === undefined && io.ask && !values['dry-run']) {
      region = (await io.ask(`AWS region for the profiles${aws.region ? ` [${aws.region}]` : ''}: `)).trim() || undefined;
    }
    region = region ?? aws.region;
    if (region !== undefined) checkRegion(region);
    // Demo mode only: the broker names the local emulator, where demo credentials work.
    const endpointUrl = aws.stsEndpoint ? safeEndpointUrl(aws.stsEndpoint) : undefined;
    const file = awsConfigFile(io.env);
    let before = '';
    try {
      before = await readFile(file, 'utf8');
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err;
    }
    const profiles = profilesFor(items, { prefix: values.prefix, command: values.command, region, endpointUrl });
    const after = applyProfiles(before, profiles, values.prefix);
    const diff = lineDiff(before, after);
    if (values['dry-run']) {
      io.stdout(diff ? `--- ${file}\n+++ ${file} (after rolegate configure)\n${diff}` : `${file} is up to date.\n`);
      return EXIT.OK;
    }
    if (diff) {
      await ensureParent(file);
      await writeFileAtomic(file, after, (await modeOf(file)) ?? 0o600);
    }
    const where = `${region ? ` (region ${region}` : ' (no region'}${endpointUrl ? `, demo STS endpoint ${endpointUrl})` : ')'}`;
    io.stderr(`${diff ? 'Wrote' : 'Kept'} ${profiles.length} profile(s) in ${file}${where}:\n${profiles.map((p) => `  ${p.name}`).join('\n')}\n`);
    return EXIT.OK;
  },

  async exec(args, io) {
    const { values, positionals } = parse(args, roleOptions, true);
    if (positionals.length === 0) throw new CliError('Name the command to run after --, e.g. rolegate exec --account a --role r -- aws s3 ls', EXIT.USAGE);
    const dir = configDir(io.env);
    const { credentials: c, aws } = await getCredentials(await requireSession(dir), dir, roleRequest(values));
    /** @type {NodeJS.ProcessEnv} */
    const env = {
      ...io.env,
      AWS_ACCESS_KEY_ID: c.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
      AWS_SESSION_TOKEN: c.SessionToken,
      AWS_CREDENTIAL_EXPIRATION: c.Expiration,
    };
    // The broker's region unless the caller chose one.
    if (aws.region && !env.AWS_REGION && !env.AWS_DEFAULT_REGION) Object.assign(env, { AWS_REGION: aws.region, AWS_DEFAULT_REGION: aws.region });
    // Demo mode: the local emulator, where these credentials are valid.
    const sts = aws.stsEndpoint ? safeEndpointUrl(aws.stsEndpoint) : undefined;
    if (sts && !env.AWS_ENDPOINT_URL_STS && !env.AWS_ENDPOINT_URL) env.AWS_ENDPOINT_URL_STS = sts;
    // A profile in the environment would take precedence over these keys in the SDKs.
    delete env.AWS_PROFILE;
    delete env.AWS_DEFAULT_PROFILE;
    const [cmd, ...rest] = /** @type {[string, ...string[]]} */ (positionals);
    return await new Promise((resolve, reject) => {
      const child = spawn(cmd, rest, { stdio: 'inherit', env });
      const forward = (/** @type {NodeJS.Signals} */ sig) => child.kill(sig);
      process.on('SIGINT', forward).on('SIGTERM', forward);
      child.on('error', (err) => reject(new CliError(`Cannot run ${cmd}: ${err.message}`, EXIT.FAILURE)));
      child.on('exit', (code, signal) => {
        process.off('SIGINT', forward).off('SIGTERM', forward);
        resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : EXIT.FAILURE));
      });
    });
  },

  async console(args, io) {
    const { values } = parse(args, { ...roleOptions, destination: { type: 'string' }, print: { type: 'boolean' } });
    const url = await getConsoleUrl(await requireSession(configDir(io.env)), { ...roleRequest(values), destination: values.destination });
    if (values.print || !openBrowser(url, io.env)) io.stdout(`${url}\n`);
    else io.stderr('Opened the AWS console in your browser.\n');
    return EXIT.OK;
  },

  async logout(args, io) {
    parse(args, {});
    const dir = configDir(io.env);
    const s = await loadSession(dir);
    if (!s) {
      io.stderr('Not logged in.\n');
      return EXIT.OK;
    }
    /** @type {CliError | undefined} */
    let failure;
    try {
      await call(s.url, { method: 'POST', path: '/api/cli/logout', token: s.token });
    } catch (err) {
      failure = err instanceof CliError ? err : new CliError(String(err));
    }
    await deleteLocalState(dir);
    if (failure && failure.exitCode === EXIT.BROKER_UNREACHABLE) {
      io.stderr(
        `Deleted the local token and cached credentials, but the broker could not revoke the token: ${failure.message} It stays valid until ${s.expiresAt}; revoke it in the portal.\n`,
      );
      return failure.exitCode;
    }
    io.stderr('Logged out: the token was revoked and local files deleted.\n');
    return EXIT.OK;
  },
};

/**
 * `--wait-timeout` in ms (default 15 minutes).
 * @param {string | undefined} value
 */
function waitTimeoutMs(value) {
  const seconds = value === undefined ? 900 : parseDuration(value);
  if (!seconds || seconds < 1) throw new CliError('--wait-timeout must be a duration such as 10m', EXIT.USAGE);
  return seconds * 1000;
}

/**
 * The account and role of an AWS profile written by `rolegate configure`
 * (read from its credential_process line).
 * @param {string} file
 * @param {string} profile
 * @returns {Promise<{ account: string, role: string }>}
 */
async function roleOfProfile(file, profile) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliError(`No AWS config at ${file}; run \`rolegate configure\` or pass --account and --role.`, EXIT.USAGE);
  }
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === `[profile ${profile}]` || (profile === 'default' && l.trim() === '[default]'));
  const rest = start < 0 ? [] : lines.slice(start + 1);
  const next = rest.findIndex((l) => l.trim().startsWith('['));
  const section = next < 0 ? rest : rest.slice(0, next);
  const cp = section.find((l) => /^\s*credential_process\s*=/.test(l)) ?? '';
  const account = /--account\s+'?([^'\s]+)'?/.exec(cp)?.[1];
  const role = /--role\s+'?([^'\s]+)'?/.exec(cp)?.[1];
  if (!account || !role) throw new CliError(`Profile ${profile} is not a rolegate profile in ${file}; pass --account and --role.`, EXIT.USAGE);
  return { account, role };
}

/**
 * Asks one question on the terminal (stderr, so stdout stays clean).
 * @param {string} question
 */
async function askOnTerminal(question) {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** @param {string} file */
async function ensureParent(file) {
  const dir = path.dirname(file);
  if ((await modeOf(dir)) === undefined) await ensurePrivateDir(dir);
}

/**
 * Runs `rolegate` with the given arguments and returns the exit code.
 * @param {string[]} argv arguments after the program name
 * @param {Partial<Io>} [io]
 * @returns {Promise<number>}
 */
export async function main(argv, io = {}) {
  /** @type {Io} */
  const out = {
    stdout: io.stdout ?? ((s) => void process.stdout.write(s)),
    stderr: io.stderr ?? ((s) => void process.stderr.write(s)),
    env: io.env ?? process.env,
    ask: 'ask' in io ? io.ask : process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined,
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(HELP);
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === '--version' || name === '-v') {
    out.stdout(`${VERSION}\n`);
    return EXIT.OK;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    out.stderr(`rolegate: unknown command "${name}"\n\n${HELP}`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    if (!(name === 'exec' && rest.indexOf('--') !== -1 && rest.indexOf('--') < rest.indexOf('--help'))) {
      out.stdout(HELP);
      return EXIT.OK;
    }
  }
  try {
    return await command(rest, out);
  } catch (err) {
    if (err instanceof CliError) {
      out.stderr(`rolegate: ${err.message}\n`);
      return err.exitCode;
    }
    out.stderr(`rolegate: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.FAILURE;
  }
}
