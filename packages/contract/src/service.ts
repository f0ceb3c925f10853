import { z } from 'zod';
import { idpKind } from './me.js';

/** `GET /auth/providers` (public): the sign-in buttons to show. */
export const providersResponse = z.object({
  providers: z.array(z.object({ id: idpKind, label: z.string() })),
  demo: z.boolean(),
});
export type ProvidersResponse = z.infer<typeof providersResponse>;
export type Provider = ProvidersResponse['providers'][number];

/** Query of `GET /auth/login`. */
export const loginQuery = z.object({
  provider: idpKind.optional(),
  returnTo: z.string().optional().describe('Same-origin path; anything else falls back to /'),
  fresh: z.literal('1').optional().describe('Step-up: the IdP must authenticate the person again'),
});

/** Form of `POST /auth/saml/acs` (HTTP-POST binding). */
export const samlAcsForm = z.object({ SAMLResponse: z.string(), RelayState: z.string().optional() });

/** `GET /healthz`. */
export const livenessResponse = z.object({ status: z.literal('ok') });

/** `GET /readyz`: 503 while the database is unreachable or the process drains. */
export const readinessResponse = z.object({
  status: z.enum(['ready', 'unavailable', 'draining']),
  checks: z.object({ database: z.enum(['ok', 'unreachable', 'not checked']) }),
});
