import type ICAL from 'ical.js';
import { calendarKind } from '../caldav/kind.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import type { Collection, StoreSession, User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { DavError } from '../webdav/errors.js';
import type { MemberHook, MemberWrite } from '../webdav/member-hooks.js';
import { deleteMember } from '../webdav/object-write.js';
import { hrefEl } from '../webdav/multistatus.js';
import { collectionPath, objectPath } from '../webdav/paths.js';
import { qname } from '../webdav/xml/names.js';
import { findLocalUser, isAddressOf, mailtoAddress, sameAddress } from './addresses.js';
import {
  addressOf, attendeesOf, buildCalendar, buildReply, cleanForSending, findAttendee, mayBeScheduling, organizerOf,
  parseCalendar, recurrenceKey, scheduledComponents, scheduleTagOf, sequenceOf, serverSchedules, stripParameter, summaryOf, uidOf,
} from './itip.js';
import { calendarResource, DELIVERED, deliverCancel, deliverRequest, mergeReply } from './local-delivery.js';
import type { OutsideDelivery } from './outside-delivery.js';

// Implicit scheduling (RFC 6638 §3): the server turns an organizer's or attendee's PUT
// or DELETE of a scheduling object into iTIP messages and delivers them, in the write's
// transaction. An object without ORGANIZER costs a byte search and nothing more.

const UNKNOWN_USER = '3.7;Invalid calendar user';

/** Who sends a message: the user, by the address the event knows them by (ORGANIZER, or their ATTENDEE for a REPLY). */
interface Sender {
  user: User;
  address: string;
}

/**
 * Sends one iTIP message to `recipient`: a local user gets it directly, a mailto: address
 * through `outside`; anything else is unknown (3.7). Returns the SCHEDULE-STATUS.
 */
async function send(
  tx: StoreSession, context: DavContext, outside: OutsideDelivery, sender: Sender, message: ICAL.Component, recipient: string, organizer: ICAL.Property,
): Promise<string> {
  const method = String(message.getFirstPropertyValue('method'));
  const user = await findLocalUser(tx, recipient);
  if (user) {
    if (method === 'REQUEST') return deliverRequest(tx, context, user, message);
    if (method === 'CANCEL') return deliverCancel(tx, context, user, message);
    const merged = await mergeReply(tx, context, user, message, sender.address);
    return merged.applied ? DELIVERED : `5.3;${merged.reason ?? 'Not delivered'}`;
  }
  if (mailtoAddress(recipient) === undefined) return UNKNOWN_USER;
  const organizerAddress = addressOf(organizer);
  const cn = organizer.getParameter('cn');
  return outside.queue(tx, {
    method,
    uid: uidOf(message) ?? '',
    sequence: sequenceOf(message),
    organizer: organizerAddress,
    organizerName: cn === undefined ? undefined : String(cn),
    sender: sender.address,
    senderName: sender.user.displayName ?? undefined,
    recipient,
    summary: summaryOf(message),
    calendar: message.toString(),
  });
}

/** Sets SCHEDULE-STATUS on every ATTENDEE property of `address` in the object. */
function setAttendeeStatus(vcalendar: ICAL.Component, address: string, status: string): void {
  for (const comp of scheduledComponents(vcalendar)) findAttendee(comp, address)?.setParameter('schedule-status', status);
}

/** A CANCEL of the given components of `source`. */
function cancelOf(source: ICAL.Component, components: ICAL.Component[]): ICAL.Component {
  const message = cleanForSending(buildCalendar(source, components, 'CANCEL'));
  for (const comp of scheduledComponents(message)) comp.updatePropertyWithValue('status', 'CANCELLED');
  return message;
}

/** One UID is a scheduling object in only one of a user's calendars (RFC 6638 §3.2.4.1). */
async function checkUnique(tx: StoreSession, owner: User, here: Collection, uid: string): Promise<void> {
  const elsewhere = await otherCopy(tx, owner, here, uid);
  if (elsewhere) {
    const path = objectPath(collectionPath(calendarKind.homeSegment, owner.username, elsewhere.collection.uri), elsewhere.uri);
    throw new DavError(409, `UID ${uid} is already scheduled in ${path}`, qname(CALDAV_NS, 'unique-scheduling-object-resource'), hrefEl(path));
  }
}

/** The member with this UID in another of the owner's calendars (generated ones aside). */
async function otherCopy(tx: StoreSession, owner: User, here: Collection, uid: string): Promise<{ collection: Collection; uri: string } | undefined> {
  for (const collection of await tx.listCollections(owner.id, calendarKind.name)) {
    if (collection.id === here.id || collection.generator) continue;
    const uri = await tx.findUriByUid(collection.id, uid);
    if (uri !== undefined) return { collection, uri };
  }
  return undefined;
}

/**
 * An attendee's answer saved into another calendar than the one holding their copy: the
 * server chose that calendar without asking, so the client's choice wins and the copy
 * moves (python caldav's accept_invite(calendar=…) saves there; Thunderbird moves an event
 * by saving it in the new calendar, then deleting the old). One scheduling object per UID
 * still holds. Returns the copy it replaces, which the answer is compared with.
 */
async function takeOverCopy(tx: StoreSession, write: MemberWrite, uid: string): Promise<ICAL.Component | undefined> {
  const owner = write.collection.owner;
  const elsewhere = await otherCopy(tx, owner, write.collection.collection, uid);
  if (!elsewhere) return undefined;
  const copy = await tx.getObject(elsewhere.collection.id, elsewhere.uri);
  await deleteMember(tx, write.context, calendarResource(owner, elsewhere.collection), elsewhere.uri);
  return copy && mayBeScheduling(copy.data) ? parseCalendar(copy.data) : undefined;
}

/** If-Schedule-Tag-Match (RFC 6638 §8.3): the write applies only to the scheduling object the client last saw. */
function checkScheduleTag(header: string | undefined, current: ICAL.Component | undefined): void {
  if (header === undefined) return;
  const tag = current && organizerOf(current) ? scheduleTagOf(current) : undefined;
  const given = header.split(',').map((t) => t.trim());
  if (tag === undefined || !given.includes(tag)) throw new DavError(412, 'If-Schedule-Tag-Match precondition failed: the scheduling object has changed');
}

class Scheduler {
  constructor(private readonly outside: OutsideDelivery) {}

  /** The organizer stores the object: REQUEST to its attendees when it changed, CANCEL to those it dropped. */
  async organizerWrite(tx: StoreSession, write: MemberWrite, vcalendar: ICAL.Component, old: ICAL.Component | undefined): Promise<void> {
    const organizer = organizerOf(vcalendar)!;
    const organizerAddress = addressOf(organizer);
    const from: Sender = { user: write.collection.owner, address: organizerAddress };
    const forced = new Set<string>();
    for (const a of attendeesOf(vcalendar, organizerAddress)) {
      if (String(a.prop.getParameter('schedule-force-send') ?? '').toUpperCase() === 'REQUEST') forced.add(a.address);
    }
    stripParameter(vcalendar, 'schedule-force-send');
    const previous = old && sameAddress(addressOf(organizerOf(old)!), organizerAddress) ? old : undefined;
    if (previous && write.origin?.header('If-Schedule-Tag-Match') !== undefined) {
      // The client saw this version: replies merged since then stand (§3.2.10).
      for (const comp of scheduledComponents(vcalendar)) {
        const was = scheduledComponents(previous).find((c) => recurrenceKey(c) === recurrenceKey(comp));
        for (const prop of comp.getAllProperties('attendee')) {
          const partstat = was && findAttendee(was, addressOf(prop))?.getParameter('partstat');
          if (partstat) prop.setParameter('partstat', String(partstat));
        }
      }
    }
    const changed = !previous || scheduleTagOf(previous) !== scheduleTagOf(vcalendar);
    const cancelled = String(scheduledComponents(vcalendar)[0]?.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
    const attendees = attendeesOf(vcalendar, organizerAddress);
    for (const a of attendees) {
      // The organizer listed under another of her addresses is not invited to her own meeting.
      if (!serverSchedules(a.prop) || isAddressOf(from.user, a.address)) continue;
      if (!changed && !forced.has(a.address)) {
        const status = previous && scheduledComponents(previous).map((c) => findAttendee(c, a.address)?.getParameter('schedule-status')).find((s) => s);
        if (status) setAttendeeStatus(vcalendar, a.address, String(status));
        continue;
      }
      const message = cancelled ? cancelOf(vcalendar, a.components) : cleanForSending(buildCalendar(vcalendar, a.components, 'REQUEST'));
      setAttendeeStatus(vcalendar, a.address, await send(tx, write.context, this.outside, from, message, a.address, organizer));
    }
    for (const gone of previous ? attendeesOf(previous, organizerAddress) : []) {
      if (attendees.some((a) => sameAddress(a.address, gone.address)) || !serverSchedules(gone.prop)) continue;
      await send(tx, write.context, this.outside, from, cancelOf(previous!, gone.components), gone.address, organizer);
    }
  }

  /** An attendee stores their copy: a REPLY to the organizer for each instance whose PARTSTAT they changed. */
  async attendeeWrite(tx: StoreSession, write: MemberWrite, vcalendar: ICAL.Component, old: ICAL.Component | undefined, me: string): Promise<void> {
    const organizer = organizerOf(vcalendar)!;
    const previous = old && organizerOf(old) && sameAddress(addressOf(organizerOf(old)!), addressOf(organizer)) ? old : undefined;
    const partstatIn = (cal: ICAL.Component | undefined, key: string) => {
      const comps = cal ? scheduledComponents(cal) : [];
      const comp = comps.find((c) => recurrenceKey(c) === key) ?? comps.find((c) => recurrenceKey(c) === '');
      return String((comp && findAttendee(comp, me)?.getParameter('partstat')) ?? 'NEEDS-ACTION').toUpperCase();
    };
    const changed = scheduledComponents(vcalendar).filter((c) => findAttendee(c, me) && partstatIn(vcalendar, recurrenceKey(c)) !== partstatIn(previous, recurrenceKey(c)));
    if (changed.length === 0 || !serverSchedules(organizer)) {
      const status = previous && organizerOf(previous)?.getParameter('schedule-status');
      if (status) organizer.setParameter('schedule-status', String(status));
      return;
    }
    const reply = buildReply(vcalendar, changed, me);
    const from: Sender = { user: write.collection.owner, address: me };
    organizer.setParameter('schedule-status', await send(tx, write.context, this.outside, from, reply, addressOf(organizer), organizer));
  }

  /** A scheduling object is deleted: the organizer cancels it, an attendee declines it. */
  async deleted(tx: StoreSession, write: MemberWrite, old: ICAL.Component): Promise<void> {
    const owner = write.collection.owner;
    const organizer = organizerOf(old)!;
    if (isAddressOf(owner, addressOf(organizer))) {
      const from: Sender = { user: owner, address: addressOf(organizer) };
      for (const a of attendeesOf(old, addressOf(organizer))) {
        if (serverSchedules(a.prop)) await send(tx, write.context, this.outside, from, cancelOf(old, a.components), a.address, organizer);
      }
      return;
    }
    const me = myAttendeeAddress(owner, old);
    if (!me || !serverSchedules(organizer)) return;
    const comps = scheduledComponents(old);
    const master = comps.filter((c) => recurrenceKey(c) === '');
    const reply = buildReply(old, master.length ? master : comps, me, 'DECLINED');
    await send(tx, write.context, this.outside, { user: owner, address: me }, reply, addressOf(organizer), organizer);
  }
}

/** The owner's address as an ATTENDEE of the object, if they are one. */
function myAttendeeAddress(owner: User, vcalendar: ICAL.Component): string | undefined {
  for (const comp of scheduledComponents(vcalendar)) {
    const prop = comp.getAllProperties('attendee').find((p) => isAddressOf(owner, addressOf(p)));
    if (prop) return addressOf(prop);
  }
  return undefined;
}

function scheduleTagHeader(vcalendar: ICAL.Component): Record<string, string> {
  return { 'Schedule-Tag': scheduleTagOf(vcalendar) };
}

/** Bounds the Schedule-Tags GET remembers (about 100 bytes each). */
const MAX_REMEMBERED_TAGS = 10_000;

/** Scheduling as the calendar kind's member hook: every client write of a calendar object passes here. */
export function schedulingHook(outside: OutsideDelivery): MemberHook {
  const scheduler = new Scheduler(outside);
  /** Schedule-Tag by ETag (null: not a scheduling object). */
  const tagsByEtag = new Map<string, string | null>();
  return {
    kind: calendarKind,
    // Delivering locks attendees' (or the organizer's) collections after the writer's own.
    lockFor: (data) => (mayBeScheduling(data) ? 'scheduling' : undefined),
    headersFor(object) {
      if (!mayBeScheduling(object.data)) return undefined;
      // The ETag is a hash of the stored bytes, so it names the tag: a repeated GET parses nothing.
      let tag = tagsByEtag.get(object.etag);
      if (tag === undefined) {
        const vcalendar = parseCalendar(object.data);
        tag = organizerOf(vcalendar) ? scheduleTagOf(vcalendar) : null;
        if (tagsByEtag.size >= MAX_REMEMBERED_TAGS) tagsByEtag.clear();
        tagsByEtag.set(object.etag, tag);
      }
      return tag === null ? undefined : { 'Schedule-Tag': tag };
    },
    async beforeWrite(tx, write) {
      // The replaced object is parsed only when it matters: not for an object written
      // without ORGANIZER, nor for someone else's event, when no Schedule-Tag is given.
      let parsed: ICAL.Component | undefined;
      const old = () => (parsed ??= write.current && mayBeScheduling(write.current.data) ? parseCalendar(write.current.data) : undefined);
      const oldScheduling = () => {
        const o = old();
        return o && organizerOf(o) ? o : undefined;
      };
      const tagMatch = write.origin?.header('If-Schedule-Tag-Match');
      if (tagMatch !== undefined) checkScheduleTag(tagMatch, old());
      if (!write.data) {
        const gone = oldScheduling();
        if (gone) await scheduler.deleted(tx, write, gone);
        return undefined;
      }
      if (!mayBeScheduling(write.data)) return undefined;
      const vcalendar = parseCalendar(write.data);
      const organizer = organizerOf(vcalendar);
      if (!organizer) return undefined;
      const owner = write.collection.owner;
      const isOrganizer = isAddressOf(owner, addressOf(organizer));
      const me = isOrganizer ? undefined : myAttendeeAddress(owner, vcalendar);
      if (!isOrganizer && !me) return undefined; // someone else's event, kept as it is
      const uid = uidOf(vcalendar) ?? '';
      // SCHEDULE-STATUS is the server's to write (RFC 6638 §7.3).
      stripParameter(vcalendar, 'schedule-status');
      if (isOrganizer) {
        await checkUnique(tx, owner, write.collection.collection, uid);
        await scheduler.organizerWrite(tx, write, vcalendar, oldScheduling());
      } else {
        const moved = await takeOverCopy(tx, write, uid);
        await scheduler.attendeeWrite(tx, write, vcalendar, oldScheduling() ?? moved, me!);
      }
      return { data: Buffer.from(vcalendar.toString(), 'utf8'), headers: scheduleTagHeader(vcalendar) };
    },
  };
}
