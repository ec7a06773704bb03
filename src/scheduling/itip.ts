import { createHash } from 'node:crypto';
import ICAL from 'ical.js';
import { parseVcalendar } from '../ical/calendar-object.js';
import { readerFor } from '../ical/reader.js';
import { decodeText } from '../text/decode.js';
import { sameAddress } from './addresses.js';

// The iCalendar side of scheduling (RFC 6638, iTIP RFC 5546): reading who organizes and
// attends a scheduling object, and building the messages and copies that go between them.

const SCHEDULED = ['vevent', 'vtodo', 'vjournal'];

/**
 * Whether data may be a scheduling object: a byte search, so an object without ORGANIZER
 * (nearly all) costs no parse. A miss is certain; a hit is confirmed by parsing.
 */
export function mayBeScheduling(data: Buffer): boolean {
  return data.includes('ORGANIZER') || data.includes('organizer') || data.includes('Organizer');
}

export function parseCalendar(data: Buffer): ICAL.Component {
  return parseVcalendar(decodeText(data));
}

/** The components of the object (master and overrides), in order. */
export function scheduledComponents(vcalendar: ICAL.Component): ICAL.Component[] {
  return vcalendar.getAllSubcomponents().filter((c) => SCHEDULED.includes(c.name));
}

export function uidOf(vcalendar: ICAL.Component): string | undefined {
  const v = scheduledComponents(vcalendar)[0]?.getFirstPropertyValue('uid');
  return typeof v === 'string' ? v : undefined;
}

/** The ORGANIZER's address (from the first component that has one). */
export function organizerOf(vcalendar: ICAL.Component): ICAL.Property | undefined {
  for (const c of scheduledComponents(vcalendar)) {
    const p = c.getFirstProperty('organizer');
    if (p) return p;
  }
  return undefined;
}

export function addressOf(prop: ICAL.Property): string {
  return String(prop.getFirstValue() ?? '').trim();
}

/**
 * Which instance a component is, comparable across copies ('' for the master): its
 * RECURRENCE-ID on the UTC line, so a reply that names it in UTC finds the organizer's
 * override written with a TZID.
 */
export function recurrenceKey(comp: ICAL.Component): string {
  const v = comp.getFirstPropertyValue('recurrence-id');
  if (!v) return '';
  const at = readerFor(comp.parent ?? comp).instant(comp, 'recurrence-id');
  return at ? String(at.epoch) : String(v);
}

export function findAttendee(comp: ICAL.Component, address: string): ICAL.Property | undefined {
  return comp.getAllProperties('attendee').find((p) => sameAddress(addressOf(p), address));
}

/** Whether the server schedules for this ORGANIZER or ATTENDEE (RFC 6638 §7.1 SCHEDULE-AGENT, SERVER by default). */
export function serverSchedules(prop: ICAL.Property): boolean {
  const agent = String(prop.getParameter('schedule-agent') ?? 'SERVER').toUpperCase();
  return agent === 'SERVER';
}

/** An attendee of the object: its address, the components it is in, and its first property. */
export interface AttendeeEntry {
  address: string;
  components: ICAL.Component[];
  prop: ICAL.Property;
}

/** The attendees of the object, each once (by address), the organizer left out. */
export function attendeesOf(vcalendar: ICAL.Component, organizer: string): AttendeeEntry[] {
  const out: AttendeeEntry[] = [];
  for (const comp of scheduledComponents(vcalendar)) {
    for (const prop of comp.getAllProperties('attendee')) {
      const address = addressOf(prop);
      if (address === '' || sameAddress(address, organizer)) continue;
      const entry = out.find((e) => sameAddress(e.address, address));
      if (entry) entry.components.push(comp);
      else out.push({ address, components: [comp], prop });
    }
  }
  return out;
}

/** Removes a parameter from every ORGANIZER and ATTENDEE of the object. */
export function stripParameter(vcalendar: ICAL.Component, name: string): void {
  for (const comp of scheduledComponents(vcalendar)) {
    for (const prop of [...comp.getAllProperties('organizer'), ...comp.getAllProperties('attendee')]) prop.removeParameter(name);
  }
}

/** A VCALENDAR with METHOD (none for a calendar copy) holding copies of `components` and the time zones. */
export function buildCalendar(source: ICAL.Component, components: ICAL.Component[], method: string | undefined): ICAL.Component {
  const out = new ICAL.Component('vcalendar');
  out.addPropertyWithValue('version', '2.0');
  out.addPropertyWithValue('prodid', '-//Davenport//Scheduling//EN');
  if (method) out.addPropertyWithValue('method', method);
  for (const tz of source.getAllSubcomponents('vtimezone')) out.addSubcomponent(new ICAL.Component(structuredClone(tz.jCal)));
  for (const c of components) out.addSubcomponent(new ICAL.Component(structuredClone(c.jCal)));
  return out;
}

/** The parameters only the server writes on a copy or message: stripped from what goes out. */
export function cleanForSending(vcalendar: ICAL.Component): ICAL.Component {
  stripParameter(vcalendar, 'schedule-status');
  stripParameter(vcalendar, 'schedule-force-send');
  return vcalendar;
}

export function sequenceOf(vcalendar: ICAL.Component): number {
  const v = scheduledComponents(vcalendar)[0]?.getFirstPropertyValue('sequence');
  return typeof v === 'number' ? v : Number(v ?? 0) || 0;
}

export function summaryOf(vcalendar: ICAL.Component): string | undefined {
  const v = scheduledComponents(vcalendar)[0]?.getFirstPropertyValue('summary');
  return v == null ? undefined : String(v);
}

/**
 * A REPLY (RFC 5546 §3.2.3) from `attendee` for the given components: each keeps its
 * identity (UID, RECURRENCE-ID, SEQUENCE), times and ORGANIZER, and only this ATTENDEE.
 */
export function buildReply(source: ICAL.Component, components: ICAL.Component[], attendee: string, partstat?: string): ICAL.Component {
  const keep = ['uid', 'recurrence-id', 'sequence', 'dtstart', 'dtend', 'due', 'duration', 'summary', 'organizer'];
  const reply = buildCalendar(source, [], 'REPLY');
  for (const c of components) {
    const out = new ICAL.Component(c.name);
    out.addPropertyWithValue('dtstamp', ICAL.Time.now());
    for (const name of keep) for (const p of c.getAllProperties(name)) out.addProperty(new ICAL.Property(structuredClone(p.jCal)));
    const own = findAttendee(c, attendee);
    const prop = new ICAL.Property(own ? structuredClone(own.jCal) : ['attendee', {}, 'cal-address', attendee]);
    if (partstat) prop.setParameter('partstat', partstat);
    out.addProperty(prop);
    reply.addSubcomponent(out);
  }
  return cleanForSending(reply);
}

/**
 * The Schedule-Tag (RFC 6638 §3.2.10) of scheduling object data: a hash of everything
 * but the attendees' participation status and the server's delivery status, so it changes
 * with every change the organizer makes and not when a reply is merged.
 */
export function scheduleTagOf(vcalendar: ICAL.Component): string {
  const copy = new ICAL.Component(structuredClone(vcalendar.jCal));
  for (const name of ['partstat', 'schedule-status', 'rsvp', 'schedule-force-send']) stripParameter(copy, name);
  return `"${createHash('sha256').update(JSON.stringify(copy.jCal)).digest('base64url').slice(0, 22)}"`;
}
