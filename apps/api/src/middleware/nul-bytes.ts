import type { RequestHandler } from 'express';
import { AppError } from '@rolegate/core';

/** True when `value` (a string, or arrays and objects of them, as parsers build) contains a NUL character. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  return Object.entries(value as Record<string, unknown>).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
}

const refuse = () => new AppError('VALIDATION_FAILED', 'The request contains a NUL character');

/**
 * One rule at the edge, in two places: a NUL character in the path or a
 * query parameter (`rejectNulInUrl`, first of all, health and metrics
 * included), or in a form field or any JSON string — a YAML import travels as
 * one (`rejectNulInBody`, right after the body parsers) is a 400
 * `VALIDATION_FAILED`. Postgres refuses NUL in text, so without this each
 * route answered 500 or reset the connection; a NUL can also truncate values
 * in C-based tools downstream.
 */
export const rejectNulInUrl: RequestHandler = (req, _res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    path = req.path;
  }
  next(path.includes('\u0000') || containsNul(req.query) ? refuse() : undefined);
};

/** The body half of the rule: after the parsers, before every route. */
export const rejectNulInBody: RequestHandler = (req, _res, next) => {
  next(containsNul(req.body) ? refuse() : undefined);
};
