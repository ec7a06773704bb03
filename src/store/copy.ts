// Copying a whole store into another one, of either engine, row for row: ids, ETags,
// sync tokens and timestamps stay as they were, so every href, ETag and sync token a
// client holds stays valid (a sync token embeds its collection's id). Each engine
// offers raw row access (sqlite/copy.ts, postgres/copy.ts); the copy itself is here.

import { SqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

/** A column value as both engines' drivers give and take it; booleans as booleans. */
export type Value = string | number | boolean | Buffer | null;
export type Row = Record<string, Value>;

export interface CopiedTable {
  name: string;
  /** The primary key: rows are read in its order, a page at a time. */
  key: readonly string[];
  /** Its `id` comes from a generator, which must continue above the source's on the target. */
  generatedId?: boolean;
  /** Columns holding booleans (SQLite keeps them as INTEGER 0/1). */
  booleans?: readonly string[];
}

/**
 * Every table of the schema, parents before children (foreign keys). A table a
 * migration adds needs its line here: until then the copy refuses to run rather than
 * leave it behind.
 */
export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: 'users', key: ['id'], generatedId: true, booleans: ['admin', 'disabled'] },
  { name: 'app_passwords', key: ['id'], generatedId: true },
  { name: 'collections', key: ['id'], generatedId: true },
  { name: 'objects', key: ['id'], generatedId: true },
  { name: 'changes', key: ['collection_id', 'synctoken'], booleans: ['deleted'] },
  { name: 'properties', key: ['collection_id', 'object_uri', 'namespace', 'name'] },
  { name: 'user_properties', key: ['user_id', 'resource', 'namespace', 'name'] },
  { name: 'time_index', key: ['collection_id', 'component', 'level', 'start', 'end', 'object_id'] },
  { name: 'jobs', key: ['id'], generatedId: true },
  { name: 'settings', key: ['name'] },
  { name: 'subscriptions', key: ['id'], generatedId: true },
  { name: 'feed_links', key: ['id'], generatedId: true },
  { name: 'web_sessions', key: ['id_hash'] },
];

/** Not copied: the target keeps the record of its own migrations, run when it was opened. */
const NOT_COPIED = ['schema_migrations'];

/**
 * Rows per page read and per INSERT written: bounds the memory a copy holds, and keeps
 * an INSERT's parameters (rows × columns) far below the engines' limits (SQLite 32,766,
 * PostgreSQL 65,535).
 */
const PAGE = 1000;

export interface TableReader {
  /** The tables of the schema, the engine's own bookkeeping (sqlite_sequence …) left out. */
  tables(): Promise<string[]>;
  /** Up to `limit` rows in key order, after the key of row `after` (undefined: from the first). */
  readRows(table: CopiedTable, after: Row | undefined, limit: number): Promise<Row[]>;
  /** The last id the table's generator handed out (0: none yet): above every id left if the newest rows were deleted. */
  lastId(table: string): Promise<number>;
}

export interface TableWriter {
  hasRows(table: string): Promise<boolean>;
  /** Inserts the rows (at least one) as they are, ids included. */
  writeRows(table: CopiedTable, rows: Row[]): Promise<void>;
  /** Makes the table's id generator continue above `lastId` and above every id in the table. */
  continueIds(table: string, lastId: number): Promise<void>;
}

/** One engine's raw row access to a store. */
export interface TableCopier {
  /** Runs fn on one consistent snapshot of the store, which others may go on writing. */
  snapshot<T>(fn: (reader: TableReader) => Promise<T>): Promise<T>;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (writer: TableWriter) => Promise<T>): Promise<T>;
}

/** An identifier for SQL, quoted (time_index has a column named `end`). */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The SELECT of a page in key order, after the key of row `after`; `param(n)` spells the n-th parameter (from 1). */
export function pageQuery(table: CopiedTable, after: Row | undefined, limit: number, param: (n: number) => string): { sql: string; values: Value[] } {
  const key = table.key.map(quote).join(', ');
  const where = after ? ` WHERE (${key}) > (${table.key.map((_, i) => param(i + 1)).join(', ')})` : '';
  return {
    sql: `SELECT * FROM ${quote(table.name)}${where} ORDER BY ${key} LIMIT ${limit}`,
    values: after ? table.key.map((k) => after[k]) : [],
  };
}

/** One INSERT of `rows` rows of `columns`; `param(n)` spells the n-th parameter (from 1). */
export function insertSql(table: CopiedTable, columns: string[], rows: number, param: (n: number) => string): string {
  const tuples = Array.from({ length: rows }, (_, r) => `(${columns.map((_, c) => param(r * columns.length + c + 1)).join(', ')})`);
  return `INSERT INTO ${quote(table.name)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}`;
}

/** The parameters of insertSql, row after row. */
export function insertValues(columns: string[], rows: Row[]): Value[] {
  return rows.flatMap((row) => columns.map((c) => row[c]));
}

export async function tableCopier(store: Store): Promise<TableCopier> {
  // Imported when needed: the engines' copy modules import this one; pg is loaded only
  // for a PostgreSQL store, as in open.ts.
  if (store instanceof SqliteStore) return (await import('./sqlite/copy.js')).sqliteCopier(store.file);
  const { PostgresStore } = await import('./postgres/store.js');
  if (store instanceof PostgresStore) return (await import('./postgres/copy.js')).postgresCopier(store.connections);
  throw new Error(`cannot copy the tables of a ${store.engine} store`);
}

/** Refuses a source whose tables are not exactly the ones this copy knows. */
function checkTables(tables: string[]): void {
  const known = COPIED_TABLES.map((t) => t.name);
  const unknown = tables.filter((t) => !known.includes(t) && !NOT_COPIED.includes(t));
  if (unknown.length > 0) {
    throw new Error(`the source has tables the copy does not know: ${unknown.join(', ')} (add them to COPIED_TABLES in src/store/copy.ts)`);
  }
  const missing = known.filter((t) => !tables.includes(t));
  if (missing.length > 0) throw new Error(`the source has no table ${missing.join(', ')}`);
}

/**
 * Copies every row of `source` into `target`, an empty store of either engine (opened,
 * so migrated): one snapshot of the source, one transaction on the target, so a copy
 * that fails leaves the target empty, and a second try can start over. Calls
 * `progress` after each table; returns the number of rows copied.
 */
export async function copyStore(source: Store, target: Store, progress: (table: string, rows: number) => void): Promise<number> {
  const [from, to] = await Promise.all([tableCopier(source), tableCopier(target)]);
  return to.transaction(async (writer) => {
    for (const { name } of COPIED_TABLES) {
      if (await writer.hasRows(name)) throw new Error(`the target is not empty (${name} has rows): the copy goes only into an empty store`);
    }
    return from.snapshot(async (reader) => {
      checkTables(await reader.tables());
      let total = 0;
      for (const table of COPIED_TABLES) {
        let rows = 0;
        let after: Row | undefined;
        for (;;) {
          const page = await reader.readRows(table, after, PAGE);
          if (page.length > 0) await writer.writeRows(table, page);
          rows += page.length;
          if (page.length < PAGE) break;
          after = page[page.length - 1];
        }
        if (table.generatedId) await writer.continueIds(table.name, await reader.lastId(table.name));
        progress(table.name, rows);
        total += rows;
      }
      return total;
    });
  });
}
