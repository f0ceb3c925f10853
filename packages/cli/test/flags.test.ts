// Pure parts of issue 11 §3: duration limits, the cache key, region and
// endpoint checks for ~/.aws/config, and the shell blocks of `rolegate env`.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  assignment,
  cacheFile,
  checkDuration,
  checkRegion,
  defaultShell,
  envBlock,
  formatDuration,
  parseDuration,
  profilesFor,
  safeEndpointUrl,
} from '../src/index.js';

const dev = { maxDurationSeconds: 14400, roleName: 'Developer', accountName: 'sandbox', accountId: '111111111111' };
const creds = { Version: 1 as const, AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'a+b/c=', SessionToken: 'tok+en/==', Expiration: '2026-12-07T23:00:00.000Z' };

describe('--duration', () => {
  it('formats durations the way parseDuration reads them', () => {
    for (const s of [900, 3600, 5400, 14400, 43200, 3661]) expect(parseDuration(formatDuration(s))).toBe(s);
    expect(formatDuration(5400)).toBe('1h30m');
  });

  it('accepts 15 min up to the role’s maximum and names the limits otherwise', () => {
    expect(() => checkDuration(undefined, dev)).not.toThrow();
    expect(() => checkDuration(900, dev)).not.toThrow();
    expect(() => checkDuration(14400, dev)).not.toThrow();
    expect(() => checkDuration(14401, dev)).toThrow('--duration 4h1s is outside the limits of Developer in sandbox: from 15m to 4h.');
    expect(() => checkDuration(899, dev)).toThrow(/from 15m to 4h/);
    // AWS's own ceiling applies even if a mapping says more.
    expect(() => checkDuration(43201, { ...dev, maxDurationSeconds: 90000 })).toThrow(/from 15m to 12h/);
  });

  it('keys the cache by duration: a 2 h request never reads the 1 h set', () => {
    const k = { url: 'https://b', tokenId: 't', account: 'a', role: 'r' };
    const files = new Set([cacheFile('/d', k), cacheFile('/d', { ...k, durationSeconds: 3600 }), cacheFile('/d', { ...k, durationSeconds: 7200 })]);
    expect(files.size).toBe(3);
  });
});

describe('configure: what reaches ~/.aws/config', () => {
  it('accepts AWS region names only (a line break would add keys to the profile)', () => {
    for (const r of ['eu-central-1', 'us-gov-west-1', 'ap-southeast-2', 'cn-north-1']) expect(checkRegion(r)).toBe(r);
    for (const r of ['', 'EU-WEST-1', 'eu-west-1\ncredential_process = evil', 'eu-west-1 ', 'mars'])
      expect(() => checkRegion(r)).toThrow(/is not an AWS region/);
  });

  it('accepts an http(s) endpoint without spaces or control characters', () => {
    expect(safeEndpointUrl('http://127.0.0.1:4566/')).toBe('http://127.0.0.1:4566');
    expect(safeEndpointUrl('http://127.0.0.1:4566\ncredential_process = evil')).toBeUndefined();
    expect(safeEndpointUrl('file:///etc/passwd')).toBeUndefined();
  });

  it('writes region and endpoint_url into every profile', () => {
    const [p] = profilesFor([{ id: 'x', roleArn: 'arn:aws:iam::1:role/R', description: '', requireReason: false, ...dev }], {
      prefix: 'rolegate',
      command: 'rolegate',
      region: 'eu-central-1',
      endpointUrl: 'http://127.0.0.1:4566',
    });
    expect(p!.body.slice(2)).toEqual(['region = eu-central-1', 'endpoint_url = http://127.0.0.1:4566']);
  });
});

describe('rolegate env blocks', () => {
  const nasty = `it's $(rm -rf ~) "%PATH%" \`x\``;

  it('quotes values so bash and zsh take them literally', () => {
    const out = execFileSync('bash', ['-c', `${assignment('bash', 'V', nasty)}; printf %s "$V"`], { env: {} }).toString();
    expect(out).toBe(nasty);
  });

  it('quotes values for PowerShell (single quotes doubled) and fish', () => {
    expect(assignment('powershell', 'V', "it's")).toBe("$Env:V = 'it''s'");
    expect(assignment('fish', 'V', "a'b\\c")).toBe("set -gx V 'a\\'b\\\\c'");
  });

  it('refuses for cmd what cmd would expand or split', () => {
    expect(assignment('cmd', 'AWS_SESSION_TOKEN', 'tok+en/==')).toBe('set "AWS_SESSION_TOKEN=tok+en/=="');
    for (const v of ['%PATH%', 'a"b', 'a\r\nb']) expect(() => assignment('cmd', 'V', v)).toThrow(/use --shell powershell/);
  });

  it('includes AWS_REGION (and AWS_DEFAULT_REGION for the AWS CLI) and the demo STS endpoint', () => {
    const ps = envBlock('powershell', creds, { region: 'eu-central-1', stsEndpoint: 'http://127.0.0.1:4566', label: 'Developer in sandbox' });
    expect(ps.split('\n')).toEqual([
      '# Rolegate: Developer in sandbox, valid until 2026-12-07T23:00:00.000Z',
      "$Env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE'",
      "$Env:AWS_SECRET_ACCESS_KEY = 'a+b/c='",
      "$Env:AWS_SESSION_TOKEN = 'tok+en/=='",
      "$Env:AWS_CREDENTIAL_EXPIRATION = '2026-12-07T23:00:00.000Z'",
      "$Env:AWS_REGION = 'eu-central-1'",
      "$Env:AWS_DEFAULT_REGION = 'eu-central-1'",
      "$Env:AWS_ENDPOINT_URL_STS = 'http://127.0.0.1:4566'",
      '',
    ]);
    const cmd = envBlock('cmd', creds, { region: 'us-east-1', label: 'Dev\n& calc in "x"' });
    expect(cmd.split('\n')[0]).toBe('REM Rolegate: Dev?? calc in ?x?, valid until 2026-12-07T23:00:00.000Z');
    expect(cmd).toContain('set "AWS_REGION=us-east-1"');
  });

  it('defaults to PowerShell on Windows and bash elsewhere', () => {
    expect(defaultShell('win32')).toBe('powershell');
    expect(defaultShell('linux')).toBe('bash');
  });
});
