import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  brokerUrl,
  cacheFile,
  configDir,
  deleteLocalState,
  EXIT,
  main,
  parseDuration,
  readCached,
  REFRESH_BEFORE_MS,
  requireSession,
  saveSession,
  stateMatches,
  writeCached,
} from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rolegate-cli-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const creds = (expiresInMs: number) => ({
  Version: 1 as const,
  AccessKeyId: 'ASIAEXAMPLE',
  SecretAccessKey: 'secret',
  SessionToken: 'token',
  Expiration: new Date(Date.now() + expiresInMs).toISOString(),
});

describe('local files', () => {
  it('uses $XDG_CONFIG_HOME/rolegate, else ~/.config/rolegate', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/rolegate');
    expect(configDir({ XDG_CONFIG_HOME: 'relative' })).toBe(path.join(os.homedir(), '.config', 'rolegate'));
  });

  it('stores the session 0600 in a 0700 folder, even under a permissive umask', async () => {
    const old = process.umask(0o000);
    try {
      const d = path.join(dir, 'rolegate');
      await saveSession({ url: 'https://rg.example', token: 'rgcli_x', tokenId: 't', expiresAt: new Date(Date.now() + 60_000).toISOString() }, d);
      expect(await mode(d)).toBe(0o700);
      expect(await mode(path.join(d, 'session.json'))).toBe(0o600);
      await writeCached(cacheFile(d, { url: 'u', tokenId: 't', account: 'a', role: 'r' }), creds(3600_000));
      expect(await mode(path.join(d, 'cache'))).toBe(0o700);
      const [f] = await readdir(path.join(d, 'cache'));
      expect(await mode(path.join(d, 'cache', f!))).toBe(0o600);
      await deleteLocalState(d);
      expect(await readdir(d)).toEqual([]);
    } finally {
      process.umask(old);
    }
  });

  it('refuses a missing session (not logged in) and an expired one with distinct exit codes', async () => {
    await expect(requireSession(dir)).rejects.toMatchObject({ exitCode: EXIT.NOT_LOGGED_IN });
    await saveSession({ url: 'https://rg.example', token: 'rgcli_x', tokenId: 't', expiresAt: new Date(Date.now() - 1000).toISOString() }, dir);
    await expect(requireSession(dir)).rejects.toMatchObject({ exitCode: EXIT.TOKEN_INVALID });
  });
});

describe('credential cache', () => {
  it('reuses credentials until five minutes before expiry', async () => {
    const file = cacheFile(dir, { url: 'u', tokenId: 't', account: 'a', role: 'r' });
    await writeCached(file, creds(REFRESH_BEFORE_MS + 60_000));
    expect(await readCached(file)).toMatchObject({ AccessKeyId: 'ASIAEXAMPLE' });
    await writeCached(file, creds(REFRESH_BEFORE_MS - 60_000));
    expect(await readCached(file)).toBeUndefined();
    await writeFile(file, 'not json');
    expect(await readCached(file)).toBeUndefined();
  });

  it('keys the cache by login, account, role and reason', () => {
    const k = { url: 'u', tokenId: 't', account: 'a', role: 'r' };
    const base = cacheFile(dir, k);
    expect(cacheFile(dir, { ...k, tokenId: 't2' })).not.toBe(base);
    expect(cacheFile(dir, { ...k, role: 'r2' })).not.toBe(base);
    expect(cacheFile(dir, { ...k, reason: 'why' })).not.toBe(base);
    expect(cacheFile(dir, { ...k })).toBe(base);
  });
});

describe('input checks', () => {
  it('parses durations', () => {
    expect(parseDuration('900')).toBe(900);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration(undefined)).toBeUndefined();
    for (const bad of ['', 'h', '1d', '-5', '1.5h']) expect(() => parseDuration(bad), bad).toThrow(/duration/);
  });

  it('accepts https brokers and plain http only on loopback', () => {
    expect(brokerUrl('https://rg.example.com/')).toBe('https://rg.example.com');
    expect(brokerUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    for (const bad of ['http://rg.example.com', 'ftp://x', 'https://user:pw@rg.example.com', 'not a url', undefined]) {
      expect(() => brokerUrl(bad), String(bad)).toThrow();
    }
  });

  it('compares the loopback state exactly', () => {
    expect(stateMatches('abc', 'abc')).toBe(true);
    expect(stateMatches('abd', 'abc')).toBe(false);
    expect(stateMatches('ab', 'abc')).toBe(false);
    expect(stateMatches(null, 'abc')).toBe(false);
  });
});

describe('main', () => {
  const run = async (args: string[], env: Record<string, string> = { XDG_CONFIG_HOME: dir }) => {
    let out = '';
    let err = '';
    const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env });
    return { code, out, err };
  };

  it('prints help, rejects unknown commands and options with exit code 2', async () => {
    expect((await run(['--help'])).out).toContain('rolegate login --url');
    expect((await run([])).code).toBe(EXIT.USAGE);
    expect((await run(['fly'])).code).toBe(EXIT.USAGE);
    expect((await run(['ls', '--bogus'])).code).toBe(EXIT.USAGE);
  });

  it('says not logged in (exit 3) for every command that needs the broker', async () => {
    for (const args of [['ls'], ['credentials', '--account', 'a', '--role', 'r'], ['configure'], ['console', '--account', 'a', '--role', 'r']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(EXIT.NOT_LOGGED_IN);
      expect(r.err).toMatch(/Not logged in/);
    }
  });
});
