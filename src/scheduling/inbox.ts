import { randomUUID } from 'node:crypto';
import type ICAL from 'ical.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import { calendarKind } from '../caldav/kind.js';
import type { Collection, StoreSession, User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { DavError } from '../webdav/errors.js';
import { etagOf } from '../webdav/etag.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { qname } from '../webdav/xml/names.js';
import { scheduledComponents } from './itip.js';

export const INBOX_URI = 'inbox';

/**
 * The scheduling inbox (RFC 6638 §2.2): a collection of its own kind in the calendar
 * home, holding the iTIP messages delivered to its owner, which the owner reads and
 * deletes. Only the server puts messages there.
 */
export const inboxKind: CollectionKind = {
  name: 'schedule-inbox',
  homeSegment: calendarKind.homeSegment,
  specialUri: INBOX_URI,
  resourceType: qname(CALDAV_NS, 'schedule-inbox'),
  preconditionNs: CALDAV_NS,
  objectContentType: calendarKind.objectContentType,
  objectExtension: calendarKind.objectExtension,
  defaultCollection: { uri: INBOX_URI, fields: { displayname: 'Inbox' } },
  validateObject() {
    throw new DavError(403, 'Only the server delivers scheduling messages into the inbox');
  },
};

/** The user's inbox, made if they have none yet (users from before scheduling). */
export async function inboxOf(tx: StoreSession, user: User): Promise<Collection> {
  const existing = await tx.getCollection(user.id, inboxKind.name, INBOX_URI);
  if (existing) return existing;
  return (await tx.createCollection(user.id, inboxKind.name, INBOX_URI, inboxKind.defaultCollection.fields))
    ?? (await tx.getCollection(user.id, inboxKind.name, INBOX_URI))!;
}

/** Puts an iTIP message into the user's inbox, in the caller's transaction. */
export async function deliverToInbox(tx: StoreSession, context: DavContext, user: User, message: ICAL.Component): Promise<void> {
  const inbox = await inboxOf(tx, user);
  await tx.lockCollection(inbox.id);
  const data = Buffer.from(message.toString(), 'utf8');
  const uri = `${randomUUID()}.ics`;
  const component = scheduledComponents(message)[0]?.name.toUpperCase() ?? null;
  // Several messages about one event may wait in the inbox: each is kept under its own name as UID.
  await tx.putObject(inbox.id, { uri, data, etag: etagOf(data), uid: uri, component });
  await context.changed(tx, { collection: inbox, what: 'member', members: [uri] });
}
