import { readFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { decodeText } from '../text/decode.js';
import { accountsOn, serverDav, withStore } from './store-access.js';
import { parseCommand } from './usage.js';

const USAGE = `usage: davenport import <user> <collection> <file> [--quiet]
  Imports an .ics file into one of the user's calendars, or a .vcf file into one of
  their address books; '-' reads the file from stdin. A calendar file is split per UID
  (a series with its exceptions together, METHOD dropped, the time zones it uses along:
  Outlook, Google and Apple exports work as they are); a contacts file per card (vCard
  3.0 and 4.0). Each item is checked as a client's upload would be; a bad item fails
  alone. Importing the same file again updates what changed and leaves the rest.
  Clients see the new items at their next sync, while the server runs.

  <collection>   calendars/<name>, addressbooks/<name>, or just <name> (e.g. default)
  --quiet        print only the totals, not a line per item

  Output: one line per item (created, updated, unchanged or failed, UID, href, reason),
  then the totals. Exit code 1 when an item failed.`;

/** `davenport import USER COLLECTION FILE`: the web UI's import, from a shell. */
export async function run(args: string[]): Promise<number> {
  const line = parseCommand(args, USAGE, { quiet: { type: 'boolean', short: 'q' } }, [3, 3]);
  if (!line) return 0;
  const [name, ref, file] = line.positionals as [string, string, string];
  const bytes = file === '-' ? await buffer(process.stdin) : await readFile(file);
  const { fileKind, findCollection, importInto } = await import('../import-export/index.js');
  return withStore(async (store, config) => {
    const user = await accountsOn(store, config).get(name);
    const dav = await serverDav(store, config);
    const collection = await findCollection(dav, user, ref, fileKind(decodeText(bytes)));
    const { items, counts } = await importInto(dav, collection, bytes);
    if (!line.values.quiet) {
      for (const item of items) console.log([item.outcome.padEnd(9), item.uid ?? '-', item.href ?? '-', item.reason ?? ''].join('\t').trimEnd());
    }
    console.log(`${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.failed} failed (${collection.path})`);
    return counts.failed > 0 ? 1 : 0;
  });
}
