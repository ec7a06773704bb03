import { randomUUID } from 'node:crypto';
import { decodeText } from '../text/decode.js';
import type { DavContext } from '../webdav/context.js';
import { DavError } from '../webdav/errors.js';
import { objectPath } from '../webdav/paths.js';
import type { CollectionResource } from '../webdav/resource.js';
import { membersReadOnly } from '../webdav/generated-collections.js';
import { writeMember } from '../webdav/object-write.js';
import { ImportError, reportOf, type ImportItem, type ImportReport } from './report.js';
import { splitCalendar } from './split-calendar.js';
import { splitCards } from './split-cards.js';

/** An item of the file, ready to validate and store: its UID as read (null: unreadable) and its text. */
interface Item {
  uid: string | null;
  text: string;
}

/** The kind of collection the file is for, by its first line: iCalendar or vCard. */
export function fileKind(text: string): 'calendar' | 'addressbook' | undefined {
  const first = text.replace(/^\uFEFF/, '').trimStart().slice(0, 20).toUpperCase();
  if (/^BEGIN:V(CALENDAR|EVENT|TODO|JOURNAL)\b/.test(first)) return 'calendar';
  if (first.startsWith('BEGIN:VCARD')) return 'addressbook';
  return undefined;
}

function itemsOf(text: string, collection: CollectionResource): Item[] {
  const format = fileKind(text);
  const wanted = collection.kind.name === 'calendar' ? 'calendar' : 'addressbook';
  if (format === undefined) throw new ImportError('the file is neither iCalendar (.ics, BEGIN:VCALENDAR) nor vCard (.vcf, BEGIN:VCARD)');
  if (format !== wanted) {
    throw new ImportError(format === 'calendar'
      ? 'the file is a calendar (.ics): import it into a calendar, not an address book'
      : 'the file holds contacts (.vcf): import them into an address book, not a calendar');
  }
  return format === 'calendar' ? splitCalendar(text) : splitCards(text);
}

/** A resource name for a new item: its UID where that is a plain name, else a random one. */
function nameFor(uid: string | null, extension: string): string {
  return uid !== null && /^[A-Za-z0-9@._-]{1,200}$/.test(uid) && !uid.startsWith('.') ? `${uid}${extension}` : `${randomUUID()}${extension}`;
}

/**
 * Imports an .ics file into a calendar or a .vcf file into an address book: a calendar
 * file split per UID (series with overrides together, METHOD dropped, VTIMEZONEs
 * along), a contacts file per card. Every item goes through the one write path for
 * members (validated as a PUT would be; sync token bumped; subscribers notified), in a
 * transaction of its own, so one bad item fails alone. Unlike a client's PUT it is not
 * a scheduling action: importing years of meetings must not invite their attendees
 * again, so the member hooks (implicit scheduling) do not see it. An item whose UID the
 * collection has already is updated in place (unchanged if its bytes are the same):
 * importing a file again does not make copies. Throws ImportError only when the file
 * as a whole cannot be imported; then nothing was written.
 */
export async function importInto(context: DavContext, collection: CollectionResource, file: Buffer | string): Promise<ImportReport> {
  if (membersReadOnly(collection.collection)) throw new ImportError('this calendar is made by the server (read-only): import into another one');
  const text = typeof file === 'string' ? file : decodeText(file);
  const { kind } = collection;
  const id = collection.collection.id;
  const seen = new Set<string>();
  const report: ImportItem[] = [];
  for (const item of itemsOf(text, collection)) {
    const data = Buffer.from(item.text, 'utf8');
    let href: string | null = null;
    try {
      if (data.length > context.limits.maxResourceBytes) throw new DavError(413, `larger than the maximum of ${context.limits.maxResourceBytes} bytes`);
      const validated = kind.validateObject(data, collection.collection, kind.objectContentType);
      const { uid } = validated;
      if (seen.has(uid)) throw new DavError(409, 'another item of the file has the same UID');
      seen.add(uid);
      const existing = await context.store.findUriByUid(id, uid);
      let uri = existing ?? nameFor(uid, kind.objectExtension);
      if (existing === undefined && (await context.store.getObjectMeta(id, uri))) uri = nameFor(null, kind.objectExtension);
      href = objectPath(collection.path, uri);
      if (existing !== undefined && (await context.store.getObject(id, existing))?.data.equals(data)) {
        report.push({ uid, href, outcome: 'unchanged' });
        continue;
      }
      const { created } = await context.store.transaction((tx) => writeMember(tx, context, collection, uri, data, validated));
      report.push({ uid, href, outcome: created ? 'created' : 'updated' });
    } catch (e) {
      if (!(e instanceof DavError)) throw e;
      report.push({ uid: item.uid, href, outcome: 'failed', reason: e.message });
    }
  }
  return reportOf(report);
}
