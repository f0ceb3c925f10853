import type { Writable } from 'node:stream';
import { csvLine } from '@rolegate/core';
import { AUDIT_EXPORT_COLUMNS } from '@rolegate/contract';

export type ExportFormat = 'csv' | 'ndjson';

/** Resolves when `out` can take more, or is gone (client disconnected); leaves no listener behind. */
function drainOrClose(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/**
 * Writes an export to `out`: the CSV header first, then each chunk of rows
 * (from the repository's exportChunks). Waits for 'drain' whenever `out` is
 * full, so a slow client slows the database reads instead of growing memory,
 * and stops pulling chunks once `out` is gone.
 */
export async function writeGrantExport(chunks: AsyncIterable<string>, out: Writable, format: ExportFormat): Promise<void> {
  if (format === 'csv' && !out.write(csvLine([...AUDIT_EXPORT_COLUMNS]))) await drainOrClose(out);
  for await (const chunk of chunks) {
    if (out.destroyed) break;
    if (!out.write(chunk)) await drainOrClose(out);
  }
}

/**
 * Starts `source` and waits for its first item, so a failure before any byte
 * is sent (database down) still becomes a normal JSON error; returns an
 * iterable that replays that item and continues.
 */
export async function startBatches<T>(source: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  return {
    async *[Symbol.asyncIterator]() {
      if (first.done) return;
      yield first.value;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    },
  };
}
