import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { sqliteFile } from '../store/sqlite/store.js';
import { parseCommand } from './usage.js';

const USAGE = `usage: davenport backup <file>
  Writes a consistent copy of the SQLite store to <file> (which must not exist), safe
  while the server runs and writes: one read transaction of its own (VACUUM INTO), so
  the copy is the store as of one instant, and the server is never stopped or slowed.

  To restore: stop the server, then either start it on the copy
      DAVENPORT_DATA_DIR=<directory of the copy> npm start   (the copy named davenport.sqlite)
  or put the copy in place of <data dir>/davenport.sqlite, deleting davenport.sqlite-wal
  and davenport.sqlite-shm beside it first, and start the server.

  With PostgreSQL (DAVENPORT_DATABASE_URL) use pg_dump instead: pg_dump -Fc -f <file> <db>,
  restored with pg_restore; this command then only says so, and exits with 1.`;

/** `davenport backup FILE`: an online snapshot of the SQLite store. */
export async function run(args: string[]): Promise<number> {
  const line = parseCommand(args, USAGE, {}, [1, 1]);
  if (!line) return 0;
  const target = resolve(line.positionals[0]!);
  const config = loadConfig();
  if (config.database.url !== '') {
    console.error('error: the store is PostgreSQL: back it up with pg_dump (pg_dump -Fc -f FILE DATABASE; restore with pg_restore)');
    return 1;
  }
  const source = sqliteFile(config.dataDir);
  if (!existsSync(source)) throw new Error(`there is no store at ${source} (DAVENPORT_DATA_DIR is ${config.dataDir})`);
  if (existsSync(target)) throw new Error(`${target} exists already: a backup never overwrites a file`);
  if (!existsSync(dirname(target))) throw new Error(`there is no directory ${dirname(target)}`);
  // Written under another name and renamed when complete: a file named <target> is always a whole backup.
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const started = Date.now();
  // A connection of its own, not the store: nothing is migrated, and its read
  // transaction sees one snapshot of the WAL database while the server goes on writing.
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(partial);
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  const copy = new Database(partial, { readonly: true });
  let counts: { users: number; objects: number };
  try {
    const ok = copy.pragma('quick_check', { simple: true });
    if (ok !== 'ok') throw new Error(`the copy does not check out (${String(ok)}); nothing was written`);
    counts = copy.prepare('SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM objects) AS objects').get() as typeof counts;
  } catch (e) {
    copy.close();
    rmSync(partial, { force: true });
    throw e;
  }
  copy.close();
  renameSync(partial, target);
  const megabytes = (statSync(target).size / 1e6).toFixed(1);
  console.log(`backup of ${source} written to ${target}: ${megabytes} MB, ${counts.users} users, ${counts.objects} objects, in ${Date.now() - started} ms`);
  console.log(`restore: stop the server and start it with the copy as <data dir>/davenport.sqlite (see davenport backup --help)`);
  return 0;
}
