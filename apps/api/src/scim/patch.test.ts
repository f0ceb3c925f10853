import { describe, expect, it } from 'vitest';
import { ScimError } from './errors.js';
import { parseFilter, parsePage } from './filter.js';
import { effectiveGroups } from './membership.js';
import { applyPatch, parsePath, patchOperationsOf } from './patch.js';

const user = () => ({
  userName: 'bjensen@example.com',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  active: true,
});

describe('applyPatch (RFC 7644 3.5.2 and what IdPs send)', () => {
  it('RFC 3.5.2.1: add members to a group, without duplicating one already there', () => {
    const g = { displayName: 'Tour Guides', members: [{ value: 'a' }] };
    const out = applyPatch(g, [{ op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b', display: 'B' }] }]);
    expect(out.members).toEqual([{ value: 'a' }, { value: 'b', display: 'B' }]);
    expect(g.members).toEqual([{ value: 'a' }]); // the input is not changed
  });

  it('RFC 3.5.2.2: remove one member by filter; remove all members', () => {
    const g = { members: [{ value: '2819c223' }, { value: '902c246b' }] };
    expect(applyPatch(g, [{ op: 'remove', path: 'members[value eq "2819c223"]' }]).members).toEqual([{ value: '902c246b' }]);
    expect(applyPatch(g, [{ op: 'remove', path: 'members' }])).toEqual({});
  });

  it('RFC 3.5.2.3: replace a sub-attribute of the work email', () => {
    const out = applyPatch(user(), [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'bjensen@new.example.com' }]);
    expect(out.emails[0]).toEqual({ value: 'bjensen@new.example.com', type: 'work', primary: true });
    expect(out.emails[1]!.value).toBe('babs@jensen.org');
  });

  it('replace on a complex attribute keeps the sub-attributes not given', () => {
    expect(applyPatch(user(), [{ op: 'replace', path: 'name', value: { familyName: 'Doe' } }]).name).toEqual({ givenName: 'Barbara', familyName: 'Doe' });
  });

  it('Okta: replace without path, value object', () => {
    expect(applyPatch(user(), [{ op: 'replace', value: { active: false } }]).active).toBe(false);
  });

  it('Entra: capitalised ops, dotted keys in a no-path value, Remove with a value list', () => {
    const out = applyPatch(user(), [{ op: 'Replace', value: { 'name.givenName': 'Babs' } }]);
    expect(out.name.givenName).toBe('Babs');
    const g = { members: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] };
    expect(applyPatch(g, [{ op: 'Remove', path: 'members', value: [{ value: 'A' }, { value: 'c' }] }]).members).toEqual([{ value: 'b' }]);
  });

  it('attribute names match in any case; the stored key keeps its spelling', () => {
    expect(applyPatch(user(), [{ op: 'replace', path: 'NAME.FAMILYNAME', value: 'X' }]).name).toEqual({ givenName: 'Barbara', familyName: 'X' });
  });

  it('a filter that matches nothing adds the element it describes', () => {
    const out = applyPatch(user(), [{ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1' }]) as Record<string, unknown>;
    expect(out.phoneNumbers).toEqual([{ type: 'mobile', value: '+1' }]);
  });

  it('extension attributes by URN path, and core URN prefixes', () => {
    const out = applyPatch({ userName: 'x' }, [
      { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Ops' },
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:userName', value: 'y' },
      { op: 'add', value: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { costCenter: '42' } } },
    ]) as Record<string, unknown>;
    expect(out).toEqual({ userName: 'y', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Ops', costCenter: '42' } });
  });

  it('refuses unknown ops, bad paths, remove without path and values missing', () => {
    const codes = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ScimError ? `${e.status} ${e.scimType}` : 'other';
      }
      return 'none';
    };
    expect(codes(() => applyPatch(user(), [{ op: 'copy', path: 'a', value: 1 }]))).toBe('400 invalidSyntax');
    expect(codes(() => applyPatch(user(), [{ op: 'remove' }]))).toBe('400 noTarget');
    expect(codes(() => applyPatch(user(), [{ op: 'add', path: 'title' }]))).toBe('400 invalidValue');
    expect(codes(() => parsePath('emails[type gt "a"]'))).toBe('400 invalidPath');
    expect(codes(() => parsePath('a..b'))).toBe('400 invalidPath');
    expect(codes(() => patchOperationsOf({ Operations: [] }))).toBe('400 invalidSyntax');
  });
});

describe('parseFilter and parsePage', () => {
  it('reads the equality filters IdPs send, attribute names in any case', () => {
    expect(parseFilter('userName eq "bjensen"')).toEqual({ attribute: 'username', value: 'bjensen' });
    expect(parseFilter('EXTERNALID EQ "a \\"b\\""')).toEqual({ attribute: 'externalid', value: 'a "b"' });
    expect(parseFilter(undefined)).toBeNull();
    expect(() => parseFilter('userName co "b"')).toThrow(ScimError);
    expect(() => parseFilter('emails.value eq "b"')).toThrow(/not supported/);
  });

  it('clamps startIndex and count as RFC 7644 3.4.2.4 says', () => {
    expect(parsePage({}, 200)).toEqual({ startIndex: 1, count: 200 });
    expect(parsePage({ startIndex: '-3', count: '-1' }, 200)).toEqual({ startIndex: 1, count: 0 });
    expect(parsePage({ count: '5000' }, 200).count).toBe(200);
  });
});

describe('effectiveGroups', () => {
  const membership = {
    provisioned: true,
    groups: [
      { displayName: 'engineers', externalId: 'oid-1' },
      { displayName: 'Ops', externalId: null },
    ],
  };

  it('before the first push the sign-in groups stand (undefined = no override)', () => {
    expect(effectiveGroups(['admins'], { provisioned: false, groups: [] }, { signInGroups: 'ignore', groupName: 'displayName' })).toBeUndefined();
  });

  it('ignore: SCIM groups only; a person SCIM does not know has none', () => {
    expect(effectiveGroups(['admins'], membership, { signInGroups: 'ignore', groupName: 'displayName' })).toEqual(['Ops', 'engineers']);
    expect(effectiveGroups(['admins'], { provisioned: true, groups: [] }, { signInGroups: 'ignore', groupName: 'displayName' })).toEqual([]);
  });

  it('intersect: only groups both carry, matched exactly (no case folding: "ops" is not "Ops")', () => {
    expect(effectiveGroups(['engineers', 'ops', 'admins'], membership, { signInGroups: 'intersect', groupName: 'displayName' })).toEqual(['engineers']);
  });

  it('externalId naming (Entra object ids); groups without one do not count', () => {
    expect(effectiveGroups([], membership, { signInGroups: 'ignore', groupName: 'externalId' })).toEqual(['oid-1']);
  });
});
