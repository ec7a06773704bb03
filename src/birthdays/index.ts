import type { CollectionStore, User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import type { Dav } from '../webdav/dav.js';
import { birthdayCalendarOf, createBirthdayCalendar, deleteBirthdayCalendar, findBirthdayCalendar } from './birthday-calendar.js';
import { fillBirthdayCalendar } from './fill.js';
import { keepBirthdaysCurrent } from './listener.js';

// A birthday calendar generated from the user's address books (read-only, opt-in): one
// yearly all-day event per birthday and anniversary on a card, kept current as cards
// change. See birthday-calendar.ts for where the opt-in lives.

/** Hooks the birthday calendar into every write of the server's address books. */
export function registerBirthdays(dav: Dav): void {
  dav.addChangeListener(keepBirthdaysCurrent(dav));
}

/**
 * Turns the user's birthday calendar on (made and filled from their cards; nothing
 * happens when it is on already) or off (deleted). Filling a large address book takes
 * a while but never holds up other requests. Throws DavError 409 when the names it
 * would take are taken by ordinary calendars.
 */
export async function setBirthdayCalendar(dav: DavContext, user: User, enabled: boolean): Promise<void> {
  if (!enabled) {
    await dav.store.transaction((tx) => deleteBirthdayCalendar(tx, dav, user));
    return;
  }
  const created = await dav.store.transaction((tx) => createBirthdayCalendar(tx, dav, user));
  if (!created) return;
  try {
    await fillBirthdayCalendar(dav, birthdayCalendarOf(created, user));
  } catch (e) {
    // Half filled is neither on nor off: it stays off, and turning it on again starts over.
    await dav.store.transaction((tx) => deleteBirthdayCalendar(tx, dav, user));
    throw e;
  }
}

/** Whether the user has the birthday calendar on. One lookup. */
export async function hasBirthdayCalendar(store: Pick<CollectionStore, 'listCollections'>, user: User): Promise<boolean> {
  return (await findBirthdayCalendar(store, user.id)) !== undefined;
}
