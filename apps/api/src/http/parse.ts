import type { z } from 'zod';
import { AppError } from '@rolegate/core';

/**
 * Parses input with a contract schema. @throws AppError VALIDATION_FAILED
 * listing each problem with its field.
 */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new AppError('VALIDATION_FAILED', `Invalid request: ${summary}`, { issues });
  }
  return parsed.data;
}
