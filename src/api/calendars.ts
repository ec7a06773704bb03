import type { Collection, User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { membersReadOnly } from '../webdav/generated-collections.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { collectionPath } from '../webdav/paths.js';
import type { CollectionResource } from '../webdav/resource.js';
import { notFound } from './errors.js';

// A calendar's id in the API is its URL segment under the user's calendar home; `primary`
// is the user's default calendar. Address books are not calendars: their ids are not found.

export const PRIMARY = 'primary';
const CALENDAR_KIND = 'calendar';

/** The user's calendars as the WebDAV layer sees them, the primary one marked. */
export async function calendarsOf(dav: DavContext, user: User): Promise<{ calendar: CollectionResource; primary: boolean }[]> {
  const kind = dav.kinds.find((k) => k.name === CALENDAR_KIND);
  if (!kind) return [];
  const calendars = await dav.store.listCollections(user.id, kind.name);
  // Without the default calendar, the first the user writes (not one the server generates, like the birthday calendar).
  const primary = calendars.find((c) => c.uri === kind.defaultCollection.uri) ?? calendars.find((c) => !membersReadOnly(c)) ?? calendars[0];
  return calendars.map((c) => ({ calendar: resourceOf(kind, user, c), primary: c === primary }));
}

function resourceOf(kind: CollectionKind, user: User, collection: Collection): CollectionResource {
  return { type: 'collection', path: collectionPath(kind.homeSegment, user.username, collection.uri), owner: user, kind, collection };
}

/** The calendar that `calendarId` names among the user's; 404 notFound otherwise. */
export function findCalendar<C extends { calendar: CollectionResource; primary: boolean }>(calendars: C[], calendarId: string): C {
  const found = calendars.find((c) => (calendarId === PRIMARY ? c.primary : c.calendar.collection.uri === calendarId));
  if (!found) throw notFound();
  return found;
}

/** The user's calendar that `calendarId` names, as the WebDAV layer sees it; 404 notFound otherwise. */
export async function calendarFor(dav: DavContext, user: User, calendarId: string): Promise<CollectionResource> {
  return findCalendar(await calendarsOf(dav, user), calendarId).calendar;
}
