// A VEVENT (or one instance of a series) as a Google-Calendar-v3-shaped event resource
// (developers.google.com/workspace/calendar/api/v3/reference/events). The reverse
// direction, JSON fields into a VEVENT, is event-json-apply.ts; both share the tables here.

import ICAL from 'ical.js';
import { safeValue, safeValues, wallTime, type TimeReader } from './reader.js';
import type { Instance, RecurrenceId } from './recurrence.js';
import { formatDate, formatDateTime, formatTimestamp, wallAt } from './rfc3339.js';
import { eventEnd } from './time-range.js';
import { ianaZone, UTC_ZONE, type Zone } from './timezones.js';

export interface EventDateTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

export interface EventPerson {
  email?: string;
  displayName?: string;
  self?: boolean;
}

export interface EventAttendee extends EventPerson {
  optional?: boolean;
  organizer?: boolean;
  resource?: boolean;
  responseStatus: string;
}

export interface EventReminder {
  method: 'popup' | 'email';
  minutes: number;
}

export interface EventResource {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: string;
  iCalUID?: string;
  created?: string;
  updated?: string;
  summary?: string;
  description?: string;
  location?: string;
  creator?: EventPerson;
  organizer?: EventPerson;
  start?: EventDateTime;
  end?: EventDateTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventDateTime;
  transparency?: string;
  visibility?: string;
  sequence?: number;
  attendees?: EventAttendee[];
  reminders?: { useDefault: boolean; overrides?: EventReminder[] };
  eventType?: string;
}

/** The properties that carry a series' rule set: `recurrence[]` lines. DTSTART never is one. */
export const RECURRENCE_PROPERTIES = ['rrule', 'exrule', 'rdate', 'exdate'] as const;

export const STATUSES: Record<string, string> = { CONFIRMED: 'confirmed', TENTATIVE: 'tentative', CANCELLED: 'cancelled' };
export const VISIBILITIES: Record<string, string> = { PUBLIC: 'public', PRIVATE: 'private', CONFIDENTIAL: 'confidential' };
export const RESPONSE_STATUSES: Record<string, string> = {
  'NEEDS-ACTION': 'needsAction', ACCEPTED: 'accepted', DECLINED: 'declined', TENTATIVE: 'tentative',
};
const RESOURCE_CUTYPES = new Set(['RESOURCE', 'ROOM']);

/** What the event resource needs besides the iCalendar data. */
export interface EventMeta {
  id: string;
  /** The stored object's ETag (instances share their series' object, so its ETag). */
  etag: string;
  /** When the stored object last changed (epoch ms). */
  updated: number;
  /** The signed-in user's address, for `self`. */
  userEmail: string | null;
  /** For an instance or an override: the series' event id. */
  recurringEventId?: string;
}

/** An address from a cal-address value (`mailto:` stripped); undefined for other URIs. */
export function emailOf(calAddress: string): string | undefined {
  return /^mailto:/i.test(calAddress) ? calAddress.slice(7) : undefined;
}

/**
 * The reminder a VALARM stands for, when it is one Google's model has: DISPLAY or
 * AUDIO (popup) or EMAIL, triggered at or before the start. Others are kept in the
 * data but not shown.
 */
export function reminderOf(alarm: ICAL.Component): EventReminder | undefined {
  const action = String(alarm.getFirstPropertyValue('action') ?? '').toUpperCase();
  const method = action === 'EMAIL' ? 'email' : action === 'DISPLAY' || action === 'AUDIO' ? 'popup' : undefined;
  const trigger = alarm.getFirstProperty('trigger');
  if (!method || !trigger) return undefined;
  const value = safeValue(trigger);
  const related = trigger.getFirstParameter('related')?.toUpperCase() ?? 'START';
  if (!(value instanceof ICAL.Duration) || related !== 'START') return undefined;
  const seconds = value.toSeconds();
  return seconds <= 0 ? { method, minutes: Math.round(-seconds / 60) } : undefined;
}

function text(comp: ICAL.Component, name: string): string | undefined {
  const v = comp.getFirstPropertyValue(name);
  return v === null || v === undefined ? undefined : String(v);
}

function timestamp(comp: ICAL.Component, reader: TimeReader, name: string): number | undefined {
  return reader.instant(comp, name)?.epoch;
}

/** The IANA name of a value's zone, when it has one a client can use. */
function zoneName(prop: ICAL.Property | null, zone: Zone): string | undefined {
  if (zone === UTC_ZONE) return 'UTC';
  const tzid = prop?.getFirstParameter('tzid');
  return tzid && ianaZone(tzid) ? tzid : undefined;
}

function dateTimeOf(epoch: number, isDate: boolean, zone: Zone, timeZone: string | undefined): EventDateTime {
  if (isDate) return { date: formatDate(wallAt(epoch, zone)) };
  return timeZone ? { dateTime: formatDateTime(epoch, zone), timeZone } : { dateTime: formatDateTime(epoch, zone) };
}

function person(prop: ICAL.Property, userEmail: string | null): EventPerson {
  const email = emailOf(String(safeValue(prop) ?? ''));
  const p: EventPerson = {};
  if (email) p.email = email;
  const cn = prop.getFirstParameter('cn');
  if (cn) p.displayName = cn;
  if (email && userEmail && email.toLowerCase() === userEmail.toLowerCase()) p.self = true;
  return p;
}

function attendeesOf(comp: ICAL.Component, organizer: EventPerson | undefined, userEmail: string | null): EventAttendee[] {
  return comp.getAllProperties('attendee').map((prop) => {
    const a: EventAttendee = { ...person(prop, userEmail), responseStatus: 'needsAction' };
    a.responseStatus = RESPONSE_STATUSES[prop.getFirstParameter('partstat')?.toUpperCase() ?? ''] ?? 'needsAction';
    if (prop.getFirstParameter('role')?.toUpperCase() === 'OPT-PARTICIPANT') a.optional = true;
    if (RESOURCE_CUTYPES.has(prop.getFirstParameter('cutype')?.toUpperCase() ?? '')) a.resource = true;
    if (a.email && organizer?.email?.toLowerCase() === a.email.toLowerCase()) a.organizer = true;
    return a;
  });
}

/**
 * One event resource: `instance` is the master of a series or a single event (rid
 * null), an instance the series generated, or an override. `recurrence` adds the
 * series' rule lines (for a master listed unexpanded).
 */
export function eventResource(reader: TimeReader, instance: Instance, meta: EventMeta, recurrence: boolean): EventResource {
  const { comp, shape, delta, periodEnd, rid } = instance;
  const status = STATUSES[String(comp.getFirstPropertyValue('status') ?? '').toUpperCase()] ?? 'confirmed';
  const event: EventResource = { kind: 'calendar#event', etag: meta.etag, id: meta.id, status };
  const uid = text(comp, 'uid');
  if (uid !== undefined) event.iCalUID = uid;
  const created = timestamp(comp, reader, 'created') ?? timestamp(comp, reader, 'dtstamp');
  if (created !== undefined) event.created = formatTimestamp(created);
  event.updated = formatTimestamp(meta.updated);
  for (const name of ['summary', 'description', 'location'] as const) {
    const v = text(comp, name);
    if (v !== undefined) event[name] = v;
  }

  const organizerProp = comp.getFirstProperty('organizer');
  const organizer = organizerProp ? person(organizerProp, meta.userEmail) : undefined;
  if (organizer) event.organizer = organizer;
  const creator = organizer ?? (meta.userEmail ? { email: meta.userEmail, self: true } : undefined);
  if (creator) event.creator = creator;

  const start = reader.instant(comp, 'dtstart');
  if (start && shape.start !== null) {
    const startProp = comp.getFirstProperty('dtstart');
    const end = reader.instant(comp, 'dtend');
    const endZone = end?.zone ?? start.zone;
    const endName = end ? zoneName(comp.getFirstProperty('dtend'), end.zone) : zoneName(startProp, start.zone);
    event.start = dateTimeOf(shape.start + delta, shape.startIsDate, start.zone, zoneName(startProp, start.zone));
    event.end = dateTimeOf(eventEnd(shape, delta, periodEnd)!, shape.startIsDate, endZone, endName);
    if (rid && meta.recurringEventId !== undefined) event.originalStartTime = originalStart(rid, start.zone, zoneName(startProp, start.zone));
  }
  if (meta.recurringEventId !== undefined) event.recurringEventId = meta.recurringEventId;
  if (recurrence) {
    const lines = RECURRENCE_PROPERTIES.flatMap((name) => comp.getAllProperties(name).map((p) => p.toICALString()));
    if (lines.length > 0) event.recurrence = lines;
  }

  const transp = text(comp, 'transp')?.toUpperCase();
  if (transp === 'TRANSPARENT' || transp === 'OPAQUE') event.transparency = transp.toLowerCase();
  event.visibility = VISIBILITIES[text(comp, 'class')?.toUpperCase() ?? ''] ?? 'default';
  event.sequence = Number(comp.getFirstPropertyValue('sequence') ?? 0) || 0;
  const attendees = attendeesOf(comp, organizer, meta.userEmail);
  if (attendees.length > 0) event.attendees = attendees;
  // Our calendars have no default reminders, so an event's reminders are exactly its alarms.
  const overrides = comp.getAllSubcomponents('valarm').flatMap((a) => reminderOf(a) ?? []);
  event.reminders = overrides.length > 0 ? { useDefault: false, overrides } : { useDefault: false };
  event.eventType = 'default';
  return event;
}

function originalStart(rid: RecurrenceId, zone: Zone, timeZone: string | undefined): EventDateTime {
  return rid.time.isDate ? { date: formatDate(rid.time) } : dateTimeOf(rid.epoch, false, zone, timeZone);
}

/**
 * The instances a series' EXDATEs remove, as recurrence ids: Google shows them as
 * cancelled instances. DATE values on a timed series (whole days) are left out.
 */
export function excludedInstances(reader: TimeReader, master: ICAL.Component): RecurrenceId[] {
  const start = reader.instant(master, 'dtstart');
  if (!start) return [];
  return master.getAllProperties('exdate').flatMap((prop) =>
    safeValues(prop).flatMap((t) => {
      if (!(t instanceof ICAL.Time) || t.isDate !== start.time.isDate) return [];
      return [{ epoch: reader.epochOf(t, reader.zoneOf(prop, t, start.zone)), time: wallTime(t) }];
    }),
  );
}

/** The cancelled stand-in for an instance the series excludes: all Google guarantees of a deleted instance. */
export function cancelledInstance(reader: TimeReader, master: ICAL.Component, rid: RecurrenceId, meta: EventMeta & { recurringEventId: string }): EventResource {
  const start = reader.instant(master, 'dtstart')!;
  return {
    kind: 'calendar#event', etag: meta.etag, id: meta.id, status: 'cancelled', recurringEventId: meta.recurringEventId,
    originalStartTime: originalStart(rid, start.zone, zoneName(master.getFirstProperty('dtstart'), start.zone)),
  };
}
