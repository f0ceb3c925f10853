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
});
export type Entitlement = z.infer<typeof entitlement>;

export const entitlementsResponse = z.object({ items: z.array(entitlement) });
export type EntitlementsResponse = z.infer<typeof entitlementsResponse>;
