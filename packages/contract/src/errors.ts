import { z } from 'zod';

/** Every API error has this shape; `code` is stable (see AppError in @rolegate/core). */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof errorBody>;
