import { describe, expect, it } from 'vitest';
import { applyProfiles, lineDiff, MANAGED_MARKER, parseSections, profilesFor, shellQuote } from '../src/index.js';

const ent = (accountId: string, accountName: string, roleName: string, requireReason = false) => ({
  id: `${accountId}-${roleName}`,
  accountId,
  accountName,
  roleName,
  roleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
  description: '',
  maxDurationSeconds: 3600,
  requireReason,
});

const EXISTING = `# top comment
[default]
region = eu-west-1

[profile work]
role_arn = arn:aws:iam::999999999999:role/Someone
credential_process = something else

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
`;

describe('profilesFor', () => {
  it('names profiles prefix-account-role and runs `credentials` with the account id and role', () => {
    const [p] = profilesFor([ent('111111111111', 'sandbox', 'Developer')], { prefix: 'rolegate', command: 'rolegate', region: 'eu-west-1' });
    expect(p).toEqual({
      name: 'rolegate-sandbox-Developer',
      body: [MANAGED_MARKER, 'credential_process = rolegate credentials --account 111111111111 --role Developer', 'region = eu-west-1'],
    });
  });

  it('keeps names unique and safe, and quotes odd role names for the shell', () => {
    const ps = profilesFor([ent('111111111111', 'my team', 'A'), ent('222222222222', 'my team', 'A')], { prefix: 'rg', command: 'rolegate' });
    expect(ps.map((p) => p.name)).toEqual(['rg-my-team-A', 'rg-222222222222-A']);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('Dev+Ops@x')).toBe('Dev+Ops@x');
  });
});

describe('applyProfiles', () => {
  const profiles = profilesFor([ent('111111111111', 'sandbox', 'Developer')], { prefix: 'rolegate', command: 'rolegate' });

  it('appends new profiles and leaves every other line byte for byte', () => {
    const out = applyProfiles(EXISTING, profiles, 'rolegate');
    expect(out.startsWith(EXISTING)).toBe(true);
    expect(out.slice(EXISTING.length)).toBe(
      `\n[profile rolegate-sandbox-Developer]\n${MANAGED_MARKER}\ncredential_process = rolegate credentials --account 111111111111 --role Developer\n`,
    );
  });

  it('replaces its own profile in place and is idempotent', () => {
    const once = applyProfiles(EXISTING, profiles, 'rolegate');
    const changed = profilesFor([ent('111111111111', 'sandbox', 'Developer')], { prefix: 'rolegate', command: '/opt/rolegate', region: 'us-east-1' });
    const twice = applyProfiles(`${once}[profile after]\nregion = x\n`, changed, 'rolegate');
    expect(twice).toContain('credential_process = /opt/rolegate credentials');
    expect(twice.match(/rolegate-sandbox-Developer/g)).toHaveLength(1);
    expect(twice.endsWith('[profile after]\nregion = x\n')).toBe(true);
    expect(applyProfiles(twice, changed, 'rolegate')).toBe(twice);
  });

  it('removes profiles it wrote earlier for roles no longer held, but never hand-written ones with the same prefix', () => {
    const handWritten = `[profile rolegate-mine]\nregion = x\n`;
    const old = applyProfiles(handWritten, profilesFor([ent('1', 'a', 'Old'), ent('1', 'a', 'Kept')], { prefix: 'rolegate', command: 'rolegate' }), 'rolegate');
    const now = applyProfiles(old, profilesFor([ent('1', 'a', 'Kept')], { prefix: 'rolegate', command: 'rolegate' }), 'rolegate');
    expect(now).not.toContain('rolegate-a-Old');
    expect(now).toContain('rolegate-a-Kept');
    expect(now.startsWith(handWritten)).toBe(true);
  });

  it('creates a file from nothing', () => {
    expect(parseSections(applyProfiles('', profiles, 'rolegate')).map((s) => s.name)).toEqual([null, 'profile rolegate-sandbox-Developer']);
  });
});

describe('lineDiff', () => {
  it('shows added and removed lines, nothing for equal texts', () => {
    expect(lineDiff('a\nb\n', 'a\nb\n')).toBe('');
    expect(lineDiff('a\nb\nc\n', 'a\nc\nd\n')).toBe('  a\n- b\n  c\n+ d\n');
  });
});
