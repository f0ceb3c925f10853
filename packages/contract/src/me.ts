import { z } from 'zod';

export const idpKind = z.enum(['oidc', 'saml']);
export type IdpKind = z.infer<typeof idpKind>;

export const appRole = z.enum(['employee', 'admin', 'auditor']);
export type AppRole = z.infer<typeof appRole>;

export const meResponse = z.object({
  user: z.object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    subject: z.string(),
    idp: idpKind,
    groups: z.array(z.string()),
  }),
  roles: z.array(appRole),
  csrfToken: z.string(),
  demo: z.boolean(),
});
export type MeResponse = z.infer<typeof meResponse>;
