import { spawn } from 'node:child_process';

/**
 * Opens a URL in the user's browser, best effort. `BROWSER=none` turns it
 * off (tests, headless machines); any other `BROWSER` value is the command to run.
 * @param {string} url
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {boolean} whether an opener was started
 */
export function openBrowser(url, env = process.env) {
  if (env.BROWSER === 'none') return false;
  /** @type {[string, string[]]} */
  const [cmd, args] = env.BROWSER
    ? [env.BROWSER, [url]]
    : process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
