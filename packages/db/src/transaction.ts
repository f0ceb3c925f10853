import type pg from 'pg';

/**
 * Runs `work` on one pooled connection inside BEGIN … COMMIT and returns what
 * it returned. Any error rolls the transaction back (a failed ROLLBACK, e.g.
 * on a dead connection, is ignored) and is rethrown as it was; the connection
 * always goes back to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await work(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
