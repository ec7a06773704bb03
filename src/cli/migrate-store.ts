import { loadConfig, type DatabaseConfig } from '../config.js';
import { copyStore } from '../store/copy.js';
import { openStore } from '../store/open.js';
import { parseCommand, UsageError } from './usage.js';

const USAGE = `usage: davenport migrate-store --to <target>
  Copies the configured store (dataDir / database.url) into an empty one, ids, ETags and
  sync tokens as they are, so clients go on syncing. Stop the server first: what it
  writes during the copy is not copied.
  --to postgres://user:pass@host/db   a PostgreSQL database
  --to sqlite:<dir>                   the embedded SQLite store in data directory <dir>
                                      (davenport.sqlite in it), e.g. sqlite:./data-new`;

interface StoreConfig {
  dataDir: string;
  database: DatabaseConfig;
}

/** The store --to names, as openStore takes it; undefined when it names none. */
function targetOf(to: string): StoreConfig | undefined {
  // The copy uses one connection, migrations another.
  if (/^postgres(ql)?:\/\//.test(to)) return { dataDir: '', database: { url: to, poolSize: 2 } };
  const dir = /^sqlite:(.+)$/.exec(to)?.[1];
  // sqlite://… is not a directory anyone means: //x is a path at the root.
  if (dir === undefined || dir.startsWith('//')) return undefined;
  return { dataDir: dir, database: { url: '', poolSize: 1 } };
}

/** Where a store is, without the password a URL may hold. */
function describe({ dataDir, database }: StoreConfig): string {
  if (database.url === '') return `SQLite in ${dataDir}`;
  const url = new URL(database.url);
  return `PostgreSQL at ${url.host}${url.pathname}`;
}

/** `davenport migrate-store --to <target>`: copies the configured store into an empty one, of either engine. */
export async function run(args: string[]): Promise<number> {
  const line = parseCommand(args, USAGE, { to: { type: 'string' } }, [0, 0]);
  if (!line) return 0;
  const target = targetOf(line.values.to ?? '');
  if (!target) throw new UsageError(line.values.to === undefined ? '--to is required' : `--to names no store: ${line.values.to}`, USAGE);
  const config = loadConfig();
  console.log(`copying ${describe(config)} into ${describe(target)}`);
  const started = Date.now();
  const source = await openStore(config);
  try {
    // Opening migrates: the target has the whole schema and its record of migrations.
    const into = await openStore(target);
    try {
      const rows = await copyStore(source, into, (table, count) => console.log(`  ${table.padEnd(16)} ${count} row${count === 1 ? '' : 's'}`));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const settings = target.database.url === '' ? `DAVENPORT_DATA_DIR=${target.dataDir} and no database URL` : 'DAVENPORT_DATABASE_URL set to it';
      console.log(`copied ${rows} rows in ${seconds} s; serve from the copy with ${settings}`);
      return 0;
    } finally {
      await into.close();
    }
  } finally {
    await source.close();
  }
}
