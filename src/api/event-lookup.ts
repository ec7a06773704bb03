import { DAY_MS } from '../ical/reader.js';
import type { StoredObject, User } from '../store/types.js';
import type { CollectionResource } from '../webdav/resource.js';
import type { Dav } from '../webdav/dav.js';
import { notFound } from './errors.js';
import { parseEventId, stampEpoch } from './event-ids.js';
import { itemsOf, type EventItem, type ObjectContext } from './event-items.js';
import { WHOLE } from './page-token.js';

/** The context a calendar's objects are read in, for its owner. */
export function objectContext(collection: CollectionResource, user: User): ObjectContext {
  return { calendarTimezone: collection.collection.timezone, userEmail: user.email };
}

/** One event by id: a single event or series (its master), or one instance of a series; 404 otherwise. */
export async function findEvent(dav: Dav, collection: CollectionResource, user: User, eventId: string): Promise<{ object: StoredObject; item: EventItem }> {
  const { uri, stamp } = parseEventId(eventId);
  const object = await dav.store.getObject(collection.collection.id, uri);
  if (!object) throw notFound();
  const context = objectContext(collection, user);
  let item: EventItem | undefined;
  if (stamp === undefined) {
    item = itemsOf(object, context, { singleEvents: false, lo: -Infinity, hi: Infinity, excludedAsCancelled: false }).find((i) => i.rid === WHOLE);
  } else {
    // A recurrence id read in a floating zone lies within a day of the stamp's UTC reading.
    const at = stampEpoch(stamp);
    item = itemsOf(object, context, { singleEvents: true, lo: at - 2 * DAY_MS, hi: at + 2 * DAY_MS, excludedAsCancelled: true, stamp })[0];
  }
  if (!item) throw notFound();
  return { object, item };
}
