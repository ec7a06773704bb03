import type { User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { collectionPath } from '../webdav/paths.js';
import type { CollectionResource } from '../webdav/resource.js';
import { notFound } from './errors.js';

// A calendar's id in the API is its URL segment under the user's calendar home; `primary`
// is the user's default calendar. Address books are not calendars: their ids are not found.

export const PRIMARY = 'primary';
const CALENDAR_KIND = 'calendar';

/** The user's calendar that `calendarId` names, as the WebDAV layer sees it; 404 notFound otherwise. */
export async function calendarFor(dav: DavContext, user: User, calendarId: string): Promise<CollectionResource> {
  const kind = dav.kinds.find((k) => k.name === CALENDAR_KIND);
  if (!kind) throw notFound();
  const calendars = await dav.store.listCollections(user.id, kind.name);
  const collection =
    calendarId === PRIMARY
      ? (calendars.find((c) => c.uri === kind.defaultCollection.uri) ?? calendars[0])
      : calendars.find((c) => c.uri === calendarId);
  if (!collection) throw notFound();
  return { type: 'collection', path: collectionPath(kind.homeSegment, user.username, collection.uri), owner: user, kind, collection };
}
