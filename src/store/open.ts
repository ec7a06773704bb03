import type { DatabaseConfig } from '../config.js';
import { SqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

/**
 * The configured engine: PostgreSQL when a database URL is set, else the embedded
 * SQLite file in dataDir. pg is loaded only when asked for.
 */
export async function openStore(config: { dataDir: string; database: DatabaseConfig }): Promise<Store> {
  if (config.database.url === '') return SqliteStore.inDataDir(config.dataDir);
  const { PostgresStore } = await import('./postgres/store.js');
  return PostgresStore.open(config.database.url, { poolSize: config.database.poolSize });
}
