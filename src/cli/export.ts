import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { accountsOn, serverDav, withStore } from './store-access.js';
import { parseCommand } from './usage.js';

const USAGE = `usage: davenport export <user> <collection> [file]
  Writes one of the user's calendars as one .ics file, or an address book as one .vcf
  file (what GET on the collection answers), to <file> or, without it, to stdout.
  Any calendar or contacts application imports it; so does 'davenport import'.

  <collection>   calendars/<name>, addressbooks/<name>, or <name> when only one has it`;

/** `davenport export USER COLLECTION [FILE]`. */
export async function run(args: string[]): Promise<number> {
  const line = parseCommand(args, USAGE, {}, [2, 3]);
  if (!line) return 0;
  const [name, ref, file] = line.positionals as [string, string, string?];
  const { exportCollection, findCollection } = await import('../import-export/index.js');
  return withStore(async (store, config) => {
    const user = await accountsOn(store, config).get(name);
    const dav = await serverDav(store, config);
    const collection = await findCollection(dav, user, ref);
    const exported = exportCollection(dav, collection);
    const out = file === undefined || file === '-' ? process.stdout : createWriteStream(file);
    try {
      await pipeline(Readable.from(exported.chunks), out, { end: out !== process.stdout });
    } catch (e) {
      // `davenport export … | head`: the reader has all it wants.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE' && out === process.stdout) return 0;
      throw e;
    }
    if (file !== undefined && file !== '-') console.error(`wrote ${collection.path} to ${file}`);
    return 0;
  });
}
