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

/** An AWS region name such as eu-west-1, us-gov-west-1 or cn-north-1. */
export const awsRegion = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'region must be an AWS region such as eu-west-1');

/**
 * Body of `PUT /api/me/preferences`: the person's favourite roles (mapping
 * ids, in pinned order, each once) and their console region (null: the
 * broker's default).
 */
export const preferencesBody = z.strictObject({
  favourites: z
    .array(z.uuid({ error: 'favourites must be mapping ids' }))
    .max(100, 'favourites may hold at most 100 roles')
    .refine((ids) => new Set(ids).size === ids.length, 'favourites must not repeat a role'),
  region: awsRegion.nullable(),
});
export type PreferencesBody = z.infer<typeof preferencesBody>;

/** `GET`/`PUT /api/me/preferences`: the saved preferences and, derived from the person's own issued grants, their recently used roles (mapping ids, newest first). */
export const preferencesResponse = z.object({
  favourites: z.array(z.string()),
  region: z.string().nullable(),
  recent: z.array(z.string()),
});
export type PreferencesResponse = z.infer<typeof preferencesResponse>;
