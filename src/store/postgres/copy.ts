import type pg from 'pg';
import { insertSql, insertValues, pageQuery, quote, type CopiedTable, type Row, type TableCopier, type TableReader, type TableWriter } from '../copy.js';

// Raw row access for copying a store (../copy.ts), on one connection of the store's
// pool (which reads BIGINT as numbers: see TYPES in store.ts).

const param = (n: number) => `$${n}`;

/** Runs fn in a transaction begun by `begin` on a connection of its own. */
async function inTransaction<T>(pool: pg.Pool, begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let committed = false;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    committed = true;
    return result;
  } finally {
    // After a failure the connection is closed, not reused: the server rolls back.
    client.release(!committed);
  }
}

/** The sequence of the table's generated id, as a quoted name. */
async function sequenceOf(client: pg.PoolClient, table: string): Promise<string> {
  const { rows } = await client.query<{ name: string | null }>("SELECT pg_get_serial_sequence($1, 'id') AS name", [table]);
  const name = rows[0]!.name;
  if (name === null) throw new Error(`${table}.id is not generated`);
  return name;
}

function reader(client: pg.PoolClient): TableReader {
  return {
    async tables() {
      const { rows } = await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      return rows.map((r) => r.name);
    },
    async readRows(table: CopiedTable, after: Row | undefined, limit: number) {
      const { sql, values } = pageQuery(table, after, limit, param);
      return (await client.query<Row>(sql, values)).rows;
    },
    async lastId(table: string) {
      // Until first called, a sequence hands out last_value itself next (a copy sets it so).
      const { rows } = await client.query<{ last: number }>(
        `SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS last FROM ${await sequenceOf(client, table)}`,
      );
      return rows[0]!.last;
    },
  };
}

function writer(client: pg.PoolClient): TableWriter {
  return {
    async hasRows(table: string) {
      return ((await client.query(`SELECT 1 FROM ${quote(table)} LIMIT 1`)).rowCount ?? 0) > 0;
    },
    async writeRows(table: CopiedTable, rows: Row[]) {
      const columns = Object.keys(rows[0]!);
      await client.query(insertSql(table, columns, rows.length, param), insertValues(columns, rows));
    },
    async continueIds(table: string, lastId: number) {
      // is_called = false: the next id handed out is this one.
      await client.query(
        `SELECT setval($1, GREATEST($2, (SELECT COALESCE(MAX(id), 0) FROM ${quote(table)})) + 1, false)`,
        [await sequenceOf(client, table), lastId],
      );
    },
  };
}

export function postgresCopier(pool: pg.Pool): TableCopier {
  return {
    // REPEATABLE READ: every statement of the transaction sees the same snapshot.
    snapshot: (fn) => inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (client) => fn(reader(client))),
    transaction: (fn) => inTransaction(pool, 'BEGIN', (client) => fn(writer(client))),
  };
}
