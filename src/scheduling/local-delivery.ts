import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { calendarKind } from '../caldav/kind.js';
import type { Collection, StoredObject, StoreSession, User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { DavError } from '../webdav/errors.js';
import { writeMember } from '../webdav/object-write.js';
import { collectionPath } from '../webdav/paths.js';
import type { CollectionResource } from '../webdav/resource.js';
import { isAddressOf } from './addresses.js';
import { defaultCalendarFor } from './default-calendar.js';
import { deliverToInbox } from './inbox.js';
import {
  addressOf, buildCalendar, findAttendee, organizerOf, parseCalendar, recurrenceKey, scheduledComponents, uidOf,
} from './itip.js';

// Delivery of iTIP messages to local users (RFC 6638 §3.2, §4): the message goes into
// their inbox and their copy of the event is created, updated or merged, all in the
// transaction of the write that caused it.

export const DELIVERED = '1.2;Delivered';

/**
 * A user's calendar object with this UID, in whichever of their calendars it is, read
 * with that calendar locked: what is changed and written back is what stands at commit.
 */
export async function findByUid(tx: StoreSession, user: User, uid: string): Promise<{ collection: Collection; object: StoredObject } | undefined> {
  for (const collection of await tx.listCollections(user.id, calendarKind.name)) {
    if (collection.generator || (await tx.findUriByUid(collection.id, uid)) === undefined) continue;
    if (!(await tx.lockCollection(collection.id))) continue;
    const uri = await tx.findUriByUid(collection.id, uid);
    const object = uri === undefined ? undefined : await tx.getObject(collection.id, uri);
    if (object) return { collection, object };
  }
  return undefined;
}

/** A user's calendar as the WebDAV layer addresses it, for the server's own writes. */
export function calendarResource(user: User, collection: Collection): CollectionResource {
  return { type: 'collection', path: collectionPath(calendarKind.homeSegment, user.username, collection.uri), owner: user, kind: calendarKind, collection };
}

/** Stores a user's copy as the server's own write (no scheduling of its own). */
export async function writeCopy(tx: StoreSession, context: DavContext, user: User, collection: Collection, uri: string, vcalendar: ICAL.Component): Promise<void> {
  const data = Buffer.from(vcalendar.toString(), 'utf8');
  await writeMember(tx, context, calendarResource(user, collection), uri, data, calendarKind.validateObject(data, collection, undefined));
}

/** A UID that is a plain path segment as it is (no '/', '%', leading dot). */
const PLAIN_UID = /^[A-Za-z0-9][A-Za-z0-9@._~+-]{0,199}$/;

/**
 * The name of a new attendee copy: `<UID>.ics` where that is free, because clients that name
 * objects after their UID write their answer there (python caldav's accept_invite() PUTs
 * `<calendar>/<UID>.ics`; elsewhere it would be a second object with the UID, refused 409).
 */
async function newCopyName(tx: StoreSession, calendar: Collection, uid: string): Promise<string> {
  const named = `${uid}.ics`;
  if (PLAIN_UID.test(uid) && !(await tx.getObjectMeta(calendar.id, named))) return named;
  return `${randomUUID()}.ics`;
}

/** Keeps the attendee's own alarms on their copy when the organizer's update replaces it. */
function keepAlarms(from: ICAL.Component, into: ICAL.Component): void {
  for (const comp of scheduledComponents(into)) {
    if (comp.getFirstSubcomponent('valarm')) continue;
    const old = scheduledComponents(from).find((c) => recurrenceKey(c) === recurrenceKey(comp));
    for (const alarm of old?.getAllSubcomponents('valarm') ?? []) comp.addSubcomponent(new ICAL.Component(structuredClone(alarm.jCal)));
  }
}

/** A REQUEST for a local attendee: into their inbox, and their copy created or updated. */
export async function deliverRequest(tx: StoreSession, context: DavContext, user: User, message: ICAL.Component): Promise<string> {
  const uid = uidOf(message);
  if (uid === undefined) return '5.0;No UID';
  const copy = buildCalendar(message, scheduledComponents(message), undefined);
  const existing = await findByUid(tx, user, uid);
  try {
    if (existing) {
      keepAlarms(parseCalendar(existing.object.data), copy);
      await writeCopy(tx, context, user, existing.collection, existing.object.uri, copy);
    } else {
      const component = scheduledComponents(message)[0]!.name.toUpperCase();
      const calendar = await defaultCalendarFor(tx, user, component, context.limits);
      await writeCopy(tx, context, user, calendar, await newCopyName(tx, calendar, uid), copy);
    }
  } catch (e) {
    if (e instanceof DavError && e.status < 500) return `5.3;${e.message}`;
    throw e;
  }
  await deliverToInbox(tx, context, user, message);
  return DELIVERED;
}

/** A CANCEL for a local attendee: into their inbox, and the cancelled instances (or all) marked CANCELLED on their copy. */
export async function deliverCancel(tx: StoreSession, context: DavContext, user: User, message: ICAL.Component): Promise<string> {
  const uid = uidOf(message);
  const existing = uid === undefined ? undefined : await findByUid(tx, user, uid);
  if (existing) {
    const copy = parseCalendar(existing.object.data);
    const cancelled = scheduledComponents(message).map(recurrenceKey);
    const whole = cancelled.includes('');
    for (const comp of scheduledComponents(copy)) {
      if (!whole && !cancelled.includes(recurrenceKey(comp))) continue;
      comp.updatePropertyWithValue('status', 'CANCELLED');
    }
    if (!whole) {
      // Instances without an override of their own leave the series as EXDATEs.
      const master = scheduledComponents(copy).find((c) => recurrenceKey(c) === '');
      for (const comp of scheduledComponents(message)) {
        if (!master || scheduledComponents(copy).some((c) => recurrenceKey(c) === recurrenceKey(comp))) continue;
        const rid = comp.getFirstProperty('recurrence-id');
        if (!rid) continue;
        const exdate = new ICAL.Property('exdate', master);
        const tzid = rid.getParameter('tzid');
        if (tzid) exdate.setParameter('tzid', String(tzid));
        exdate.setValue(rid.getFirstValue() as ICAL.Time);
        master.addProperty(exdate);
      }
    }
    await writeCopy(tx, context, user, existing.collection, existing.object.uri, copy);
  }
  await deliverToInbox(tx, context, user, message);
  return DELIVERED;
}

/** An override for one instance of the series, made from the master (a reply for an instance it has none for). */
function overrideFor(master: ICAL.Component, rid: ICAL.Property): ICAL.Component {
  const comp = new ICAL.Component(structuredClone(master.jCal));
  for (const name of ['rrule', 'rdate', 'exdate', 'exrule']) comp.removeAllProperties(name);
  const start = master.getFirstPropertyValue('dtstart');
  const end = master.getFirstPropertyValue('dtend');
  const at = rid.getFirstValue();
  comp.addProperty(new ICAL.Property(structuredClone(rid.jCal)));
  if (at instanceof ICAL.Time) {
    // The instance starts where RECURRENCE-ID says, in its zone (TZID or UTC).
    const tzid = rid.getParameter('tzid');
    const place = (name: string, value: ICAL.Time) => {
      const prop = comp.getFirstProperty(name);
      if (!prop) return;
      if (tzid) prop.setParameter('tzid', String(tzid));
      else prop.removeParameter('tzid');
      prop.setValue(value);
    };
    place('dtstart', at.clone());
    if (start instanceof ICAL.Time && end instanceof ICAL.Time) {
      const shifted = at.clone();
      shifted.addDuration(end.subtractDate(start));
      place('dtend', shifted);
    }
  }
  return comp;
}

/**
 * Merges a REPLY from `attendee` into the organizer's copy (their PARTSTAT, per instance)
 * and puts it into the organizer's inbox. The copy's Schedule-Tag stays: only
 * participation changes. Nothing is written when it does not match.
 */
export async function mergeReply(
  tx: StoreSession, context: DavContext, organizer: User, reply: ICAL.Component, attendee: string,
): Promise<{ applied: boolean; reason?: string }> {
  const uid = uidOf(reply);
  const found = uid === undefined ? undefined : await findByUid(tx, organizer, uid);
  if (!found) return { applied: false, reason: `the organizer has no event with UID ${uid ?? '(none)'}` };
  const copy = parseCalendar(found.object.data);
  const copyOrganizer = organizerOf(copy);
  if (!copyOrganizer || !isAddressOf(organizer, addressOf(copyOrganizer))) return { applied: false, reason: 'the event is not organized by the addressee' };
  let applied = false;
  for (const part of scheduledComponents(reply)) {
    const partstat = findAttendee(part, attendee)?.getParameter('partstat');
    if (!partstat) continue;
    const key = recurrenceKey(part);
    let target = scheduledComponents(copy).find((c) => recurrenceKey(c) === key);
    const master = scheduledComponents(copy).find((c) => recurrenceKey(c) === '');
    const rid = part.getFirstProperty('recurrence-id');
    if (!target && rid && master && findAttendee(master, attendee)) {
      target = overrideFor(master, rid);
      copy.addSubcomponent(target);
    }
    const prop = target && findAttendee(target, attendee);
    if (!prop) continue;
    prop.setParameter('partstat', String(partstat));
    prop.removeParameter('rsvp');
    applied = true;
  }
  if (!applied) return { applied: false, reason: `${attendee} is not an attendee of that event` };
  await writeCopy(tx, context, organizer, found.collection, found.object.uri, copy);
  await deliverToInbox(tx, context, organizer, reply);
  return { applied: true };
}
