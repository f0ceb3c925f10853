import type { CreatedScimToken, ScimChangeList, ScimGroupList, ScimStatus, ScimTokenList, ScimUserList } from '@rolegate/contract';
import { request } from './api';

const id = (s: string) => encodeURIComponent(s);

/** Calls of the provisioning (SCIM) admin screen; each needs the admin role on the server. */
export const scimApi = {
  status: () => request<ScimStatus>('/api/admin/scim/status'),
  users: () => request<ScimUserList>('/api/admin/scim/users'),
  groups: () => request<ScimGroupList>('/api/admin/scim/groups'),
  changes: () => request<ScimChangeList>('/api/admin/scim/changes'),
  tokens: () => request<ScimTokenList>('/api/admin/scim/tokens'),
  createToken: (label: string, csrfToken: string) => request<CreatedScimToken>('/api/admin/scim/tokens', { method: 'POST', body: { label }, csrfToken }),
  revokeToken: (tokenId: string, csrfToken: string) =>
    request<{ revoked: true }>(`/api/admin/scim/tokens/${id(tokenId)}/revoke`, { method: 'POST', csrfToken }),
};
