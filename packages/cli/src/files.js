import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The folder for the token and the credential cache:
 * `$XDG_CONFIG_HOME/rolegate`, else `~/.config/rolegate`.
 * @param {NodeJS.ProcessEnv} [env]
 */
export function configDir(env = process.env) {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'rolegate');
}

/**
 * The AWS config file: `$AWS_CONFIG_FILE`, else `~/.aws/config`.
 * @param {NodeJS.ProcessEnv} [env]
 */
export function awsConfigFile(env = process.env) {
  return env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config');
}

/**
 * Creates `dir` (and parents) and makes it private (0700): other local users
 * must not list or replace our files.
 * @param {string} dir
 */
export async function ensurePrivateDir(dir) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Writes a file atomically (temporary file + rename) with `mode`. The file
 * is created with that mode, so a secret is never readable by others, not
 * even for an instant.
 * @param {string} file
 * @param {string} content
 * @param {number} [mode]
 */
export async function writeFileAtomic(file, content, mode = 0o600) {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(tmp, mode);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes a secret (mode 0600) into a private folder (0700).
 * @param {string} file
 * @param {unknown} value serialised as JSON
 */
export async function writeSecretJson(file, value) {
  await ensurePrivateDir(path.dirname(file));
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, 0o600);
}

/**
 * Reads a JSON file; undefined when it does not exist or is not JSON.
 * @param {string} file
 * @returns {Promise<unknown>}
 */
export async function readJson(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The permission bits of a file, or undefined when it does not exist.
 * @param {string} file
 */
export async function modeOf(file) {
  try {
    return (await stat(file)).mode & 0o777;
  } catch {
    return undefined;
  }
}
