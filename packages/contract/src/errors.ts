import { z } from 'zod';
import { ERROR_CODES } from './error-codes.js';

export { ERROR_CODES, type ErrorCode } from './error-codes.js';

/** A stable error code (the list is ERROR_CODES). */
export const errorCode = z.enum(ERROR_CODES);

/** Every API error has this shape; `code` is one of ERROR_CODES and never changes meaning. */
export const errorBody = z.object({
  error: z.object({ code: errorCode, message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof errorBody>;
