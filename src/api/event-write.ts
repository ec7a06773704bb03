import ICAL from 'ical.js';
import { parseVcalendar } from '../ical/calendar-object.js';
import { applyEventFields, type ApplyMode } from '../ical/event-json-apply.js';
import { readerFor, safeValue } from '../ical/reader.js';
import { recurrenceSets, type RecurrenceId } from '../ical/recurrence.js';
import { floatingZone } from '../ical/timezones.js';
import type { User } from '../store/types.js';
import { decodeText } from '../text/decode.js';
import type { CollectionChange } from '../webdav/changes.js';
import type { Dav } from '../webdav/dav.js';
import { removeObject, storeObject } from '../webdav/object-write.js';
import type { CollectionResource } from '../webdav/resource.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { checkClientEventId, newEventId, parseEventId } from './event-ids.js';
import type { EventItem } from './event-items.js';
import { findEvent } from './event-lookup.js';

// Writes through the API go the way a CalDAV PUT or DELETE goes (object-write.ts):
// the same validation, time index, UID check, locking, change log and notifications.
// The data is built with ical.js: a new event as a fresh VCALENDAR, a change as the
// stored one with the fields given written into it.

/** Who writes where, and the request's conditions. */
export interface EventWriter {
  dav: Dav;
  collection: CollectionResource;
  user: User;
  /** The request's If-Match header, if any: compared with the event's ETag. */
  ifMatch: string | undefined;
  origin: CollectionChange['origin'];
}

const PRODID = '-//Davenport//Calendar API//EN';
/** A read-modify-write that loses a race with another writer is redone this often before giving up. */
const ATTEMPTS = 3;

const conditionNotMet = () => new ApiError(412, 'conditionNotMet', 'Precondition Failed', 'If-Match', 'header');
const deleted = () => new ApiError(410, 'deleted', 'Resource has been deleted');

function ifMatchHolds(ifMatch: string, etag: string): boolean {
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}

/** The other writer got there between our read and our write. */
class ChangedMeanwhile extends Error {}

function now(): ICAL.Time {
  return ICAL.Time.fromJSDate(new Date(), true);
}

function touch(vevent: ICAL.Component): void {
  vevent.updatePropertyWithValue('dtstamp', now());
  vevent.updatePropertyWithValue('last-modified', now());
}

async function store(w: EventWriter, uri: string, vcalendar: ICAL.Component, check: (current: { etag: string } | undefined) => void): Promise<void> {
  const data = Buffer.from(vcalendar.toString(), 'utf8');
  const validated = w.collection.kind.validateObject(data, w.collection.collection, 'text/calendar');
  await storeObject(w.dav, w.collection, uri, data, validated, { check, origin: w.origin });
}

const masterOf = (vcalendar: ICAL.Component) => vcalendar.getAllSubcomponents('vevent').find((c) => !c.hasProperty('recurrence-id'));

/** Creates an event; returns its id. */
export async function insertEvent(w: EventWriter, body: Record<string, unknown>): Promise<string> {
  const id = body.id === undefined ? newEventId() : checkClientEventId(body.id);
  const uid = body.iCalUID === undefined ? `${id}@davenport` : body.iCalUID;
  if (typeof uid !== 'string' || uid.trim() === '') throw badRequest('iCalUID must be a non-empty string', 'iCalUID');
  requireTimes(body);
  const vcalendar = new ICAL.Component('vcalendar');
  vcalendar.addPropertyWithValue('version', '2.0');
  vcalendar.addPropertyWithValue('prodid', PRODID);
  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', uid);
  vevent.addPropertyWithValue('created', now());
  vevent.addPropertyWithValue('sequence', 0);
  touch(vevent);
  vcalendar.addSubcomponent(vevent);
  applyEventFields(vcalendar, vevent, body, { mode: 'replace', isOverride: false, userEmail: w.user.email });
  await store(w, `${id}.ics`, vcalendar, (current) => {
    if (current) throw new ApiError(409, 'duplicate', 'The requested identifier already exists.');
  });
  return id;
}

/** Google's update needs the times; a patch may leave them out. */
function requireTimes(body: Record<string, unknown>): void {
  if (body.start === undefined || body.start === null) throw new ApiError(400, 'required', 'Missing start time.');
  if (body.end === undefined || body.end === null) throw new ApiError(400, 'required', 'Missing end time.');
}

/**
 * Redoes `change` on the stored data until it is written over the version it read, so
 * a patch never undoes another writer's change; with If-Match a lost race is a 412.
 */
async function rewrite(w: EventWriter, eventId: string, change: (vcalendar: ICAL.Component, item: EventItem) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { object, item } = await findEvent(w.dav, w.collection, w.user, eventId);
    if (w.ifMatch !== undefined && !ifMatchHolds(w.ifMatch, object.etag)) throw conditionNotMet();
    const vcalendar = parseVcalendar(decodeText(object.data));
    change(vcalendar, item);
    try {
      await store(w, object.uri, vcalendar, (current) => {
        if (current?.etag !== object.etag) throw new ChangedMeanwhile();
      });
      return;
    } catch (e) {
      if (!(e instanceof ChangedMeanwhile)) throw e;
      if (w.ifMatch !== undefined) throw conditionNotMet();
      if (attempt === ATTEMPTS) throw new ApiError(409, 'conflict', 'The event kept changing while it was being written; try again');
    }
  }
}

/** events.update (`replace`) and events.patch (`merge`), of a series or single event or of one instance. */
export function modifyEvent(w: EventWriter, eventId: string, body: Record<string, unknown>, mode: ApplyMode): Promise<void> {
  if (mode === 'replace') requireTimes(body);
  return rewrite(w, eventId, (vcalendar, item) => {
    if (!item.recurrenceId) {
      const master = masterOf(vcalendar);
      if (!master) throw notFound();
      applyEventFields(vcalendar, master, body, { mode, isOverride: false, userEmail: w.user.email });
      touch(master);
    } else if (body.status === 'cancelled') {
      exclude(w, vcalendar, item.recurrenceId);
    } else {
      modifyInstance(w, vcalendar, item, body, mode);
    }
  });
}

/** Changes one instance: its override, made from the master when there is none yet. */
function modifyInstance(w: EventWriter, vcalendar: ICAL.Component, item: EventItem, body: Record<string, unknown>, mode: ApplyMode): void {
  const rid = item.recurrenceId!;
  if (item.cancelled && !item.override) throw deleted();
  let override = overrideOf(w, vcalendar, rid);
  let fields = body;
  if (!override) {
    const master = masterOf(vcalendar);
    if (!master) throw notFound();
    override = new ICAL.Component(structuredClone(master.jCal));
    for (const name of ['rrule', 'rdate', 'exrule', 'exdate']) override.removeAllProperties(name);
    override.addProperty(ridProperty('recurrence-id', master, rid));
    vcalendar.addSubcomponent(override);
    // The new override starts out as the instance it replaces.
    const shown = item.render();
    fields = { start: shown.start, end: shown.end, ...body };
  }
  applyEventFields(vcalendar, override, fields, { mode, isOverride: true, userEmail: w.user.email });
  touch(override);
}

/** The stored override of the instance `rid`, found the way expansion matches them. */
function overrideOf(w: EventWriter, vcalendar: ICAL.Component, rid: RecurrenceId): ICAL.Component | undefined {
  const reader = readerFor(vcalendar, floatingZone(w.collection.collection.timezone ?? undefined));
  for (const set of recurrenceSets(reader, 'VEVENT')) {
    const found = set.overrides.find((o) => o.rid.epoch === rid.epoch);
    if (found) return found.comp;
  }
  return undefined;
}

/** A RECURRENCE-ID or EXDATE for an instance, in the form of the master's DTSTART (RFC 5545 §3.8.4.4). */
function ridProperty(name: string, master: ICAL.Component, rid: RecurrenceId): ICAL.Property {
  const dtstart = master.getFirstProperty('dtstart')!;
  const prop = new ICAL.Property(name);
  const tzid = dtstart.getFirstParameter('tzid');
  if (tzid) prop.setParameter('tzid', tzid);
  if (rid.time.isDate) prop.resetType('date');
  const start = safeValue(dtstart);
  const utc = start instanceof ICAL.Time && start.zone === ICAL.Timezone.utcTimezone;
  prop.setValue(ICAL.Time.fromData({ ...rid.time }, utc ? ICAL.Timezone.utcTimezone : undefined));
  return prop;
}

/** Removes one instance from its series: an EXDATE, and its override goes. */
function exclude(w: EventWriter, vcalendar: ICAL.Component, rid: RecurrenceId): void {
  const master = masterOf(vcalendar);
  if (!master) throw notFound();
  const override = overrideOf(w, vcalendar, rid);
  if (override) vcalendar.removeSubcomponent(override);
  master.addProperty(ridProperty('exdate', master, rid));
  touch(master);
}

/** events.delete: the whole event, or one instance (an EXDATE). */
export async function deleteEvent(w: EventWriter, eventId: string): Promise<void> {
  const { stamp, uri } = parseEventId(eventId);
  if (stamp !== undefined) {
    await rewrite(w, eventId, (vcalendar, item) => {
      if (item.cancelled && !item.override) throw deleted();
      exclude(w, vcalendar, item.recurrenceId!);
    });
    return;
  }
  await findEvent(w.dav, w.collection, w.user, eventId); // only events: a task's id is not found
  await removeObject(w.dav, w.collection, uri, {
    check: (current) => {
      if (w.ifMatch !== undefined && !ifMatchHolds(w.ifMatch, current!.etag)) throw conditionNotMet();
    },
    origin: w.origin,
  });
}
