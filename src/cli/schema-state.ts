import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { installPath } from '../install-dir.js';
import type { Config } from '../config.js';
import { sqliteFile } from '../store/sqlite/store.js';

/** The store's schema as found, before anything opens (and so migrates) it. */
export interface SchemaState {
  engine: 'sqlite' | 'postgres';
  /** Migrations this version has that the store has not had. */
  pending: string[];
  /** Migrations the store has had that this version does not know (a newer version used it). */
  unknown: string[];
  /** What the engine's own check found wrong; empty when all is well. */
  integrity: string[];
  /** What the engine's own check covered. */
  checked: string;
}

function migrationFiles(engine: string): string[] {
  const dir = installPath('migrations', engine);
  return readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
}

function compare(engine: SchemaState['engine'], applied: string[], integrity: string[], checked: string): SchemaState {
  const files = migrationFiles(engine);
  return {
    engine, integrity, checked,
    pending: files.filter((f) => !applied.includes(f)),
    unknown: applied.filter((f) => !files.includes(f)),
  };
}

function sqliteState(dataDir: string): SchemaState {
  const file = sqliteFile(dataDir);
  if (!existsSync(file)) throw new Error(`there is no store at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
    const applied = hasTable ? (db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]) : [];
    const integrity = (db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[])
      .map((r) => r.integrity_check).filter((r) => r !== 'ok');
    for (const r of db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]) {
      integrity.push(`${r.table} row ${r.rowid} refers to a missing ${r.parent} row`);
    }
    return compare('sqlite', applied, integrity, `PRAGMA integrity_check and foreign_key_check of ${file}`);
  } finally {
    db.close();
  }
}

async function postgresState(url: string): Promise<SchemaState> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations').catch((e: { code?: string }) => {
      if (e.code === '42P01') return { rows: [] }; // undefined_table: never migrated
      throw e;
    });
    // PostgreSQL checks its own pages as it reads them (and amcheck does deeply); what is
    // left to ask is whether every row's parent is there, which the foreign keys enforce.
    return compare('postgres', rows.map((r) => r.name), [], 'PostgreSQL keeps its own integrity (pg_amcheck checks it deeply)');
  } finally {
    await client.end();
  }
}

export function readSchemaState(config: Pick<Config, 'dataDir' | 'database'>): Promise<SchemaState> {
  return config.database.url === '' ? Promise.resolve(sqliteState(config.dataDir)) : postgresState(config.database.url);
}
