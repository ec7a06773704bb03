import { loadConfig, type Config } from '../config.js';
import { openStore } from '../store/open.js';
import { DavError } from '../webdav/errors.js';
import { collectionPath, objectPath } from '../webdav/paths.js';
import { readSchemaState } from './schema-state.js';
import { serverDav } from './store-access.js';
import { parseCommand } from './usage.js';

const USAGE = `usage: davenport check
  Checks the configured store and says what it finds:
  - the engine's own integrity check (SQLite: PRAGMA integrity_check, foreign keys);
  - migrations: pending ones (applied at the next start) and unknown ones (the store
    was used by a newer Davenport: upgrade this one, do not run it on that store);
  - every stored calendar object and contact, checked as an upload would be now
    (data stored by an older version that this one would refuse);
  - counts of users, calendars, address books and objects.
  Exit code 0 when all is well, 1 when anything was found. Safe while the server runs:
  it only reads, and does not migrate the store.`;

/** `davenport check`: integrity, migrations and stored data. */
export async function run(args: string[]): Promise<number> {
  if (!parseCommand(args, USAGE, {}, [0, 0])) return 0;
  const config = loadConfig();
  const schema = await readSchemaState(config);
  const problems: string[] = [];
  console.log(`integrity: ${schema.integrity.length === 0 ? 'ok' : `${schema.integrity.length} problems`} (${schema.checked})`);
  for (const p of schema.integrity) problems.push(`integrity: ${p}`);
  if (schema.pending.length > 0) problems.push(`pending migrations (applied when the server next starts): ${schema.pending.join(', ')}`);
  if (schema.unknown.length > 0) problems.push(`migrations this version does not know (the store was used by a newer Davenport): ${schema.unknown.join(', ')}`);
  console.log(`migrations: ${schema.pending.length === 0 && schema.unknown.length === 0 ? 'up to date' : 'see below'}`);
  if (schema.pending.length === 0 && schema.unknown.length === 0) {
    // Opening migrates, so only a store that needs nothing is opened: check never changes it.
    problems.push(...(await checkObjects(config)));
  } else {
    console.log('objects: not checked until the migrations are in order');
  }
  for (const p of problems) console.log(`PROBLEM ${p}`);
  console.log(problems.length === 0 ? 'all is well' : `${problems.length} problem${problems.length === 1 ? '' : 's'} found`);
  return problems.length === 0 ? 0 : 1;
}

/** Validates every stored member as its kind validates an upload; prints the counts. */
async function checkObjects(config: Config): Promise<string[]> {
  const store = await openStore(config);
  try {
    const dav = await serverDav(store, config);
    const problems: string[] = [];
    const users = await store.listUsers();
    const counts = new Map<string, number>();
    let objects = 0;
    for (const user of users) {
      for (const kind of dav.kinds) {
        for (const collection of await store.listCollections(user.id, kind.name)) {
          counts.set(kind.homeSegment, (counts.get(kind.homeSegment) ?? 0) + 1);
          const path = collectionPath(kind.homeSegment, user.username, collection.uri);
          for await (const page of store.iterateObjects(collection.id)) {
            for (const object of page) {
              objects++;
              try {
                kind.validateObject(object.data, collection, kind.objectContentType);
              } catch (e) {
                if (!(e instanceof DavError)) throw e;
                problems.push(`${objectPath(path, object.uri)} no longer reads: ${e.message}`);
              }
            }
          }
        }
      }
    }
    const collections = [...counts].map(([segment, n]) => `${n} ${segment}`).join(', ') || 'no collections';
    console.log(`store: ${users.length} users, ${collections}, ${objects} objects; ${problems.length} unreadable`);
    return problems;
  } finally {
    await store.close();
  }
}
