import ICAL from 'ical.js';
import { calendarKind } from '../caldav/kind.js';
import type { Collection, CollectionStore, StoreSession, User } from '../store/types.js';
import { deleteCollection } from '../webdav/collection-delete.js';
import type { DavContext } from '../webdav/context.js';
import { DavError } from '../webdav/errors.js';
import { collectionPath } from '../webdav/paths.js';
import type { BirthdayCalendar } from './card-events.js';

// The birthday calendar is a generated collection (Collection.generator) in the user's
// calendar home: its existence is the opt-in, so turning it off is deleting it (by the
// web UI, or by a client deleting the calendar), and nothing else records the choice.

/** The generator name that marks the birthday calendar. */
export const BIRTHDAYS = 'birthdays';

/** Where it is made: the second name when the user has an ordinary calendar at the first. */
const URIS = ['birthdays', 'contact-birthdays'];
const FIELDS = { displayname: 'Birthdays', color: '#E66100FF', components: 'VEVENT' };

export async function findBirthdayCalendar(store: Pick<CollectionStore, 'listCollections'>, ownerId: number): Promise<Collection | undefined> {
  return (await store.listCollections(ownerId, calendarKind.name)).find((c) => c.generator === BIRTHDAYS);
}

export function birthdayCalendarOf(collection: Collection, owner: User): BirthdayCalendar {
  return {
    resource: {
      type: 'collection', path: collectionPath(calendarKind.homeSegment, owner.username, collection.uri),
      owner, kind: calendarKind, collection,
    },
    stamp: ICAL.Time.fromJSDate(new Date(collection.createdAt), true),
  };
}

/**
 * Makes the user's birthday calendar, empty, in the caller's transaction; undefined
 * when they have one already (also one a concurrent request just made).
 */
export async function createBirthdayCalendar(tx: StoreSession, context: DavContext, user: User): Promise<Collection | undefined> {
  if (await findBirthdayCalendar(tx, user.id)) return undefined;
  for (const uri of URIS) {
    const created = await tx.createCollection(user.id, calendarKind.name, uri, FIELDS, BIRTHDAYS);
    if (created) {
      await context.changed(tx, { collection: created, what: 'collection' });
      return created;
    }
    if ((await tx.getCollection(user.id, calendarKind.name, uri))?.generator === BIRTHDAYS) return undefined;
  }
  throw new DavError(409, `Calendars named ${URIS.join(' and ')} exist already: rename one to make room for the birthday calendar`);
}

/** Deletes the user's birthday calendar, if they have one, in the caller's transaction. */
export async function deleteBirthdayCalendar(tx: StoreSession, context: DavContext, user: User): Promise<void> {
  const calendar = await findBirthdayCalendar(tx, user.id);
  if (!calendar) return;
  await deleteCollection(tx, context, calendar);
}
