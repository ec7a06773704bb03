import Database from 'better-sqlite3';
import { insertSql, insertValues, pageQuery, quote, type CopiedTable, type Row, type TableCopier, type TableReader, type TableWriter } from '../copy.js';

// Raw row access for copying a store (../copy.ts), on connections of its own to the
// store's file, so the store's writer and reader are left as they were.

/** Runs fn in a transaction on db, then closes db; closing rolls back what a failure left open. */
async function inTransaction<T>(db: Database.Database, begin: string, fn: (db: Database.Database) => Promise<T>): Promise<T> {
  try {
    db.exec(begin);
    const result = await fn(db);
    db.exec('COMMIT');
    return result;
  } finally {
    db.close();
  }
}

function reader(db: Database.Database): TableReader {
  return {
    async tables() {
      return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'").pluck().all() as string[];
    },
    async readRows(table: CopiedTable, after: Row | undefined, limit: number) {
      const { sql, values } = pageQuery(table, after, limit, () => '?');
      const rows = db.prepare(sql).all(values) as Row[];
      for (const row of rows) for (const column of table.booleans ?? []) row[column] = row[column] === 1;
      return rows;
    },
    async lastId(table: string) {
      return (db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').pluck().get(table) as number | undefined) ?? 0;
    },
  };
}

function writer(db: Database.Database): TableWriter {
  return {
    async hasRows(table: string) {
      return db.prepare(`SELECT 1 FROM ${quote(table)} LIMIT 1`).get() !== undefined;
    },
    async writeRows(table: CopiedTable, rows: Row[]) {
      const columns = Object.keys(rows[0]!);
      const values = insertValues(columns, rows).map((v) => (typeof v === 'boolean' ? Number(v) : v));
      db.prepare(insertSql(table, columns, rows.length, () => '?')).run(values);
    },
    // AUTOINCREMENT keeps its generator in sqlite_sequence (raised by inserts of higher ids).
    async continueIds(table: string, lastId: number) {
      db.prepare('DELETE FROM sqlite_sequence WHERE name = ?').run(table);
      db.prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT ?, max(?, COALESCE(MAX(id), 0)) FROM ${quote(table)}`).run(table, lastId);
    },
  };
}

export function sqliteCopier(file: string): TableCopier {
  return {
    // A read transaction sees one snapshot of the WAL database throughout.
    snapshot: (fn) => inTransaction(new Database(file, { readonly: true }), 'BEGIN', (db) => fn(reader(db))),
    transaction: (fn) => {
      const db = new Database(file);
      db.pragma('foreign_keys = ON');
      return inTransaction(db, 'BEGIN IMMEDIATE', (db) => fn(writer(db)));
    },
  };
}
