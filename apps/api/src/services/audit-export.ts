import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type ExportFormat = 'csv' | 'ndjson';

const QUOTE = 0x22;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

/**
 * Turns Postgres's CSV output (records end in LF) into RFC 4180 records
 * ending in CRLF, as core's csvLine writes them. Only record ends change: an
 * LF inside a quoted cell (a reason with a line break) is data and stays as
 * it is. Quote state carries across chunks; `""` inside a quoted cell flips
 * it twice, so it needs no special case. Scans with Buffer.indexOf (native),
 * one copy per chunk.
 */
export class CsvCrlf extends Transform {
  private inQuotes = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const parts: Buffer[] = [];
    let start = 0;
    let at = 0;
    let nextQuote = chunk.indexOf(QUOTE);
    for (;;) {
      if (this.inQuotes) {
        if (nextQuote === -1) break;
        this.inQuotes = false;
        at = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, at);
        continue;
      }
      const lf = chunk.indexOf(LF, at);
      if (nextQuote !== -1 && (lf === -1 || nextQuote < lf)) {
        this.inQuotes = true;
        at = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, at);
        continue;
      }
      if (lf === -1) break;
      parts.push(chunk.subarray(start, lf), CRLF);
      start = at = lf + 1;
    }
    if (parts.length === 0) return done(null, chunk);
    parts.push(chunk.subarray(start));
    done(null, Buffer.concat(parts));
  }
}

/**
 * Streams an export from the repository's COPY stream to `out` with
 * stream.pipeline: backpressure (a slow client pauses the database socket,
 * memory stays flat), and on any failure or early close every stream is
 * destroyed, which releases and closes the database connection. Rejects
 * when the database fails mid-stream or the client leaves.
 */
export async function streamGrantExport(source: Readable, out: Writable, format: ExportFormat): Promise<void> {
  if (format === 'csv') await pipeline(source, new CsvCrlf(), out);
  else await pipeline(source, out);
}

/** At most this many exports run at once for one person (issue 10 §4). */
export const EXPORTS_PER_USER = 2;

/**
 * Slots for running exports: at most `perUser` per person and `perInstance`
 * in this process. Stops one auditor (or a script with their session) from
 * opening dozens of downloads that never read and holding every export
 * connection; `tryAcquire` answers null instead of queueing, so the caller
 * refuses at once (429 EXPORT_BUSY). The release function is idempotent.
 */
export function createExportSlots(limits: { perUser: number; perInstance: number }) {
  const byUser = new Map<string, number>();
  let total = 0;
  return {
    tryAcquire(userId: string): (() => void) | null {
      const mine = byUser.get(userId) ?? 0;
      if (total >= limits.perInstance || mine >= limits.perUser) return null;
      byUser.set(userId, mine + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (byUser.get(userId) ?? 1) - 1;
        if (left > 0) byUser.set(userId, left);
        else byUser.delete(userId);
      };
    },
    /** Exports running now (metrics and tests). */
    running: () => total,
  };
}

export type ExportSlots = ReturnType<typeof createExportSlots>;
