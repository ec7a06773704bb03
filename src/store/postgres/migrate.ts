import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

/** Any 64-bit key: it only has to be the same on every node sharing the database. */
const MIGRATION_LOCK = 0x6461_7665_6e70; // 'davenp'

/**
 * Applies migrations/postgres/NNN_name.sql in order, each exactly once, each in its own
 * transaction. A session advisory lock held throughout makes nodes starting together
 * take turns: the later one finds the migrations applied. Returns the files applied.
 */
export async function migrate(pool: pg.Pool, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.name));
    const pending = files.filter((f) => !applied.has(f));
    for (const file of pending) {
      const sql = await readFile(join(dir, file), 'utf8');
      await client.query('BEGIN');
      await client.query(sql).catch((err: Error) => {
        throw new Error(`migration ${file} failed: ${err.message}`, { cause: err });
      });
      await client.query('INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', [file, Date.now()]);
      await client.query('COMMIT');
    }
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    return pending;
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    // After a failure the connection is closed rather than reused: the server then
    // rolls back the open transaction and frees the lock, whatever state it was in.
    client.release(failed);
  }
}
