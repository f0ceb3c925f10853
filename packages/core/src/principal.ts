export type IdpKind = 'oidc' | 'saml';

/** A signed-in person, as every IdP adapter must produce it. */
export interface Principal {
  userId: string;
  email: string;
  displayName: string;
  subject: string;
  idp: IdpKind;
  /** Group names exactly as the IdP sent them. */
  groups: readonly string[];
}

export type AppRole = 'employee' | 'admin' | 'auditor';

/**
 * Application roles from IdP groups. Exact match only: a group named
 * "platform-admins " or "Platform-Admins" does not confer admin rights.
 */
export function appRolesFor(groups: readonly string[], rbac: { adminGroups: readonly string[]; auditorGroups: readonly string[] }): AppRole[] {
  const roles: AppRole[] = ['employee'];
  if (groups.some((g) => rbac.adminGroups.includes(g))) roles.push('admin');
  if (groups.some((g) => rbac.auditorGroups.includes(g))) roles.push('auditor');
  return roles;
}
