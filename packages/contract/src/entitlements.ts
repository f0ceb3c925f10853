import { z } from 'zod';

export const entitlement = z.object({
  id: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  roleName: z.string(),
  roleArn: z.string(),
  description: z.string(),
  maxDurationSeconds: z.number().int(),
  requireReason: z.boolean(),
  /** `approval`: grants only inside an approved access window (POST /api/requests first). */
  access: z.enum(['instant', 'approval']).default('instant'),
  breakGlass: z.boolean().default(false),
  /** The caller's open access window on this role, or null. */
  window: z.object({ requestId: z.string(), endsAt: z.string() }).nullable().default(null),
});
export type Entitlement = z.infer<typeof entitlement>;

/**
 * Where the caller's AWS tools should point: the broker's region, and in demo
 * mode only the emulator's STS endpoint (`rolegate configure` writes both).
 */
export const awsClientDefaults = z.object({ region: z.string(), stsEndpoint: z.string().optional() });
export type AwsClientDefaults = z.infer<typeof awsClientDefaults>;

export const entitlementsResponse = z.object({ items: z.array(entitlement), aws: awsClientDefaults.optional() });
export type EntitlementsResponse = z.infer<typeof entitlementsResponse>;
