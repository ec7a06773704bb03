import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';

// Which engine the suite runs against: SQLite unless TEST_ENGINE=postgres, which
// needs TEST_DATABASE_URL (a database the tests may create schemas in).

export const TEST_ENGINE = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * Where a fresh, empty store lives: a temporary directory for SQLite, and for
 * PostgreSQL also a schema of its own, named in the database URL. `drop` removes both.
 */
export interface StoreLocation {
  dataDir: string;
  /** Set for PostgreSQL: the URL of the location's own schema. */
  databaseUrl?: string;
  drop(): Promise<void>;
}

export async function freshStoreLocation(engine: typeof TEST_ENGINE = TEST_ENGINE): Promise<StoreLocation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'davenport-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (engine === 'sqlite') return { dataDir, drop: async () => removeDir() };
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_ENGINE=postgres needs TEST_DATABASE_URL');
  const schema = `test_${Math.random().toString(36).slice(2, 12)}`;
  await adminQuery(base, `CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dataDir,
    databaseUrl: url.toString(),
    async drop() {
      removeDir();
      await adminQuery(base, `DROP SCHEMA ${schema} CASCADE`);
    },
  };
}

/** One statement on its own connection (creating and dropping schemas and databases). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Opens (and migrates) the store at a location. */
export function openStoreAt(location: StoreLocation): Promise<Store> {
  return openStore({ dataDir: location.dataDir, database: { url: location.databaseUrl ?? '', poolSize: 4 } });
}

/** A fresh store on the suite's engine, closed and removed after the test. */
export async function openTestStore(t: TestContext): Promise<Store> {
  const location = await freshStoreLocation();
  const store = await openStoreAt(location);
  t.after(async () => {
    await store.close();
    await location.drop();
  });
  return store;
}
