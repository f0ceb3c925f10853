import { describe, expect, it } from 'vitest';
import { appRolesFor } from './principal.js';

const rbac = { adminGroups: ['platform-admins'], auditorGroups: ['security-auditors'] };

describe('appRolesFor', () => {
  it('gives everyone the employee role', () => {
    expect(appRolesFor([], rbac)).toEqual(['employee']);
  });

  it('grants admin and auditor on exact group names', () => {
    expect(appRolesFor(['platform-admins'], rbac)).toEqual(['employee', 'admin']);
    expect(appRolesFor(['security-auditors'], rbac)).toEqual(['employee', 'auditor']);
    expect(appRolesFor(['x', 'security-auditors', 'platform-admins'], rbac)).toEqual(['employee', 'admin', 'auditor']);
  });

  it.each([
    ['Platform-Admins'],
    ['platform-admins '],
    [' platform-admins'],
    ['platform-admin'],
    ['dev,platform-admins'],
    ['platform-admins,security-auditors'],
  ])('does not grant admin for near-miss group %j', (group) => {
    expect(appRolesFor([group], rbac)).toEqual(['employee']);
  });

  it('does not split a configured group containing a comma', () => {
    expect(appRolesFor(['a'], { adminGroups: ['a,b'], auditorGroups: [] })).toEqual(['employee']);
  });
});
