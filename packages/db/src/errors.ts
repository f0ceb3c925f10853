import { AppError, isAppError } from '@rolegate/core';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '57014', // query_canceled: statement_timeout (a locked or overloaded database)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'P1001', // Prisma: can't reach database server
  'P1017', // Prisma: server closed the connection
  'P2024', // Prisma: timed out fetching a connection
]);

function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const rec = cur as { code?: unknown; cause?: unknown; originalCode?: unknown; errors?: unknown };
    if (typeof rec.code === 'string') codes.push(rec.code);
    if (typeof rec.originalCode === 'string') codes.push(rec.originalCode);
    if (Array.isArray(rec.errors)) for (const e of rec.errors) codes.push(...codesOf(e));
    cur = rec.cause;
  }
  return codes;
}

/** True when `err` means the database cannot be reached right now. */
export function isConnectionError(err: unknown): boolean {
  if (codesOf(err).some((c) => CONNECTION_CODES.has(c))) return true;
  const msg = err instanceof Error ? err.message : '';
  return /connect E[A-Z]+|Connection terminated|timeout exceeded when trying to connect|Query read timeout|server closed the connection|Client has encountered a connection error|Can't reach database server/i.test(
    msg,
  );
}

/** Runs a database operation, turning connection failures into DATABASE_UNAVAILABLE. */
export async function db<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isAppError(err)) throw err;
    if (isConnectionError(err)) {
      throw new AppError('DATABASE_UNAVAILABLE', 'The database is unavailable; try again shortly', undefined, { cause: err });
    }
    throw err;
  }
}
