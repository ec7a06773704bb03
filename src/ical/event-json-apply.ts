// Event-resource JSON (event-json.ts) written into a VEVENT with ical.js. What Google's
// model has no field for (X- properties, CATEGORIES, alarms it cannot show, attendees'
// other parameters) is left as the stored data has it, so CalDAV clients lose nothing.

import ICAL from 'ical.js';
import { safeValue, TimeReader } from './reader.js';
import { epochOfDateTime, parseDate, parseDateTime, wallAt } from './rfc3339.js';
import { RECURRENCE_PROPERTIES, RESPONSE_STATUSES, STATUSES, VISIBILITIES, emailOf, reminderOf, type EventReminder } from './event-json.js';
import { shapeOf } from './time-range.js';
import { FLOATING_UTC, ianaZone } from './timezones.js';
import type { WallTime } from './reader.js';

/** A field of the request that cannot be taken as it is (the API answers 400). */
export class EventFieldError extends Error {
  constructor(
    message: string,
    readonly field: string,
    readonly reason = 'invalid',
  ) {
    super(message);
  }
}

/** `replace`: the fields given are the event (update); `merge`: they change it (patch). */
export type ApplyMode = 'replace' | 'merge';

export interface ApplyOptions {
  mode: ApplyMode;
  /** An override of a series: it has no rule lines of its own. */
  isOverride: boolean;
  /** Where an EMAIL reminder goes. */
  userEmail: string | null;
}

/** Google allows this many reminder overrides, each at most four weeks ahead. */
const MAX_REMINDERS = 5;
const MAX_REMINDER_MINUTES = 40_320;

const TEXT_FIELDS = { summary: 'summary', description: 'description', location: 'location' } as const;
const INVERSE = (table: Record<string, string>) => Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
const STATUS_VALUES = INVERSE(STATUSES);
const VISIBILITY_VALUES = INVERSE(VISIBILITIES);
const PARTSTAT_VALUES = INVERSE(RESPONSE_STATUSES);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringField(value: unknown, field: string): string | null {
  if (value === null || typeof value === 'string') return value;
  throw new EventFieldError(`${field} must be a string`, field);
}

function booleanField(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null || typeof value === 'boolean') return value ?? undefined;
  throw new EventFieldError(`${field} must be a boolean`, field);
}

function enumField(value: unknown, field: string, table: Record<string, string>): string | null {
  const v = stringField(value, field);
  if (v === null) return null;
  const mapped = table[v];
  if (mapped === undefined) throw new EventFieldError(`${field} must be one of ${Object.keys(table).join(', ')}`, field);
  return mapped;
}

/** Sets (or with null removes) a single text-valued property. */
function setText(vevent: ICAL.Component, name: string, value: string | null): void {
  vevent.removeAllProperties(name);
  if (value !== null && value !== '') vevent.addPropertyWithValue(name, value);
}

/**
 * An EventDateTime as a DTSTART/DTEND property: a DATE; a time in a named IANA zone
 * (written with TZID and no VTIMEZONE, as RFC 7809 time zones by reference allow); or UTC.
 */
function timeProperty(name: string, value: unknown, field: string): ICAL.Property {
  if (!isObject(value)) throw new EventFieldError(`${field} must be an object with date or dateTime`, field);
  const { date, dateTime, timeZone } = value;
  const prop = new ICAL.Property(name);
  if (date !== undefined && date !== null) {
    if (dateTime !== undefined && dateTime !== null) throw new EventFieldError(`${field} has both date and dateTime`, field);
    const wall = typeof date === 'string' ? parseDate(date) : undefined;
    if (!wall) throw new EventFieldError(`${field}.date must be a date (yyyy-mm-dd)`, `${field}.date`);
    prop.resetType('date');
    prop.setValue(ICAL.Time.fromData({ year: wall.year, month: wall.month, day: wall.day, isDate: true }));
    return prop;
  }
  const parsed = typeof dateTime === 'string' ? parseDateTime(dateTime) : undefined;
  if (!parsed) throw new EventFieldError(`${field}.dateTime must be an RFC 3339 date-time`, `${field}.dateTime`);
  if (timeZone !== undefined && timeZone !== null && typeof timeZone !== 'string') throw new EventFieldError(`${field}.timeZone must be a string`, `${field}.timeZone`);
  const zone = timeZone && timeZone !== 'UTC' ? ianaZone(timeZone) : null;
  if (timeZone && timeZone !== 'UTC' && !zone) throw new EventFieldError(`${field}.timeZone is not a known IANA time zone`, `${field}.timeZone`);
  let wall: WallTime;
  if (zone) {
    wall = parsed.offsetMs === null ? parsed.wall : wallAt(epochOfDateTime({ ...parsed, offsetMs: parsed.offsetMs }), zone);
    prop.setParameter('tzid', timeZone as string);
  } else {
    if (parsed.offsetMs === null && timeZone !== 'UTC') {
      throw new EventFieldError(`${field}.dateTime needs a UTC offset unless timeZone is given`, `${field}.dateTime`);
    }
    wall = wallAt(epochOfDateTime({ ...parsed, offsetMs: parsed.offsetMs ?? 0 }), FLOATING_UTC);
  }
  const time = ICAL.Time.fromData({ ...wall, isDate: false }, zone ? undefined : ICAL.Timezone.utcTimezone);
  prop.setValue(time);
  return prop;
}

function applyTimes(vcalendar: ICAL.Component, vevent: ICAL.Component, body: Record<string, unknown>): void {
  for (const [field, name] of [['start', 'dtstart'], ['end', 'dtend']] as const) {
    if (body[field] === undefined) continue;
    if (body[field] === null) throw new EventFieldError(`${field} cannot be removed`, field);
    vevent.removeAllProperties(name);
    // DTEND and DURATION exclude each other (RFC 5545 §3.6.1).
    if (name === 'dtend') vevent.removeAllProperties('duration');
    vevent.addProperty(timeProperty(name, body[field], field));
  }
  // A fresh reader: the shared ones remember shapes of the data as it was.
  const shape = shapeOf(vevent, new TimeReader(vcalendar, FLOATING_UTC));
  const end = vevent.getFirstProperty('dtend');
  if (end && (end.type === 'date') !== shape.startIsDate) throw new EventFieldError('start and end must both be dates or both date-times', 'end');
  if (shape.start === null) throw new EventFieldError('start is required', 'start');
  if ((shape.end !== null && shape.end < shape.start) || (shape.duration !== null && shape.duration < 0)) {
    throw new EventFieldError('The specified time range is empty.', 'end', 'timeRangeEmpty');
  }
}

function applyRecurrence(vevent: ICAL.Component, value: unknown): void {
  if (value !== null && !(Array.isArray(value) && value.every((l) => typeof l === 'string'))) {
    throw new EventFieldError('recurrence must be a list of strings', 'recurrence');
  }
  for (const name of RECURRENCE_PROPERTIES) vevent.removeAllProperties(name);
  for (const line of value ?? []) {
    let prop: ICAL.Property;
    try {
      prop = ICAL.Property.fromString(line.trim());
    } catch {
      throw new EventFieldError(`recurrence line "${line}" is not valid iCalendar`, 'recurrence');
    }
    if (!(RECURRENCE_PROPERTIES as readonly string[]).includes(prop.name) || safeValue(prop) === null) {
      throw new EventFieldError(`recurrence line "${line}" is not an RRULE, EXRULE, RDATE or EXDATE`, 'recurrence');
    }
    vevent.addProperty(prop);
  }
}

function setAddress(prop: ICAL.Property, value: Record<string, unknown>, field: string): void {
  const email = value.email;
  if (typeof email !== 'string' || !/^[^\s@:]+@[^\s@]+$/.test(email)) throw new EventFieldError(`${field}.email must be an e-mail address`, `${field}.email`);
  prop.setValue(`mailto:${email}`);
  const name = value.displayName === undefined ? undefined : stringField(value.displayName, `${field}.displayName`);
  if (name === null || name === '') prop.removeParameter('cn');
  else if (name !== undefined) prop.setParameter('cn', name);
}

function applyOrganizer(vevent: ICAL.Component, value: unknown): void {
  vevent.removeAllProperties('organizer');
  if (value === null) return;
  if (!isObject(value)) throw new EventFieldError('organizer must be an object', 'organizer');
  const prop = new ICAL.Property('organizer');
  setAddress(prop, value, 'organizer');
  vevent.addProperty(prop);
}

/** The attendees given, each keeping the parameters its stored ATTENDEE had (RSVP, SCHEDULE-STATUS, …). */
function applyAttendees(vevent: ICAL.Component, value: unknown): void {
  if (value !== null && !(Array.isArray(value) && value.every(isObject))) throw new EventFieldError('attendees must be a list of objects', 'attendees');
  const stored = new Map<string, ICAL.Property>();
  for (const p of vevent.getAllProperties('attendee')) {
    const email = emailOf(String(safeValue(p) ?? ''));
    if (email) stored.set(email.toLowerCase(), p);
  }
  vevent.removeAllProperties('attendee');
  (value ?? []).forEach((a, i) => {
    const field = `attendees[${i}]`;
    const key = typeof a.email === 'string' ? a.email.toLowerCase() : '';
    const prop = stored.get(key) ?? new ICAL.Property('attendee');
    setAddress(prop, a, field);
    const status = a.responseStatus === undefined ? undefined : enumField(a.responseStatus, `${field}.responseStatus`, PARTSTAT_VALUES);
    if (status) prop.setParameter('partstat', status);
    else if (!prop.getFirstParameter('partstat')) prop.setParameter('partstat', 'NEEDS-ACTION');
    const optional = booleanField(a.optional, `${field}.optional`);
    if (optional !== undefined || !prop.getFirstParameter('role')) prop.setParameter('role', optional ? 'OPT-PARTICIPANT' : 'REQ-PARTICIPANT');
    const resource = booleanField(a.resource, `${field}.resource`);
    if (resource) prop.setParameter('cutype', 'RESOURCE');
    else if (resource === false && prop.getFirstParameter('cutype')) prop.removeParameter('cutype');
    vevent.addProperty(prop);
  });
}

function reminderOverrides(value: Record<string, unknown>): EventReminder[] {
  const { useDefault, overrides } = value;
  if (useDefault !== undefined && typeof useDefault !== 'boolean') throw new EventFieldError('reminders.useDefault must be a boolean', 'reminders.useDefault');
  if (overrides === undefined || overrides === null) return [];
  if (!Array.isArray(overrides) || !overrides.every(isObject)) throw new EventFieldError('reminders.overrides must be a list of objects', 'reminders.overrides');
  if (useDefault === true && overrides.length > 0) {
    throw new EventFieldError('Cannot specify both default reminders and overrides at the same time.', 'reminders', 'cannotUseDefaultRemindersAndSpecifyOverride');
  }
  if (overrides.length > MAX_REMINDERS) throw new EventFieldError(`At most ${MAX_REMINDERS} reminders are allowed`, 'reminders.overrides');
  return overrides.map((o, i) => {
    const field = `reminders.overrides[${i}]`;
    if (o.method !== 'popup' && o.method !== 'email') throw new EventFieldError(`${field}.method must be popup or email`, `${field}.method`);
    const minutes = o.minutes;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 0 || minutes > MAX_REMINDER_MINUTES) {
      throw new EventFieldError(`${field}.minutes must be an integer from 0 to ${MAX_REMINDER_MINUTES}`, `${field}.minutes`);
    }
    return { method: o.method, minutes };
  });
}

/** Replaces the alarms Google's model shows by the reminders given; other alarms stay. */
function applyReminders(vevent: ICAL.Component, value: unknown, userEmail: string | null): void {
  if (value !== null && !isObject(value)) throw new EventFieldError('reminders must be an object', 'reminders');
  const reminders = value === null ? [] : reminderOverrides(value);
  for (const alarm of vevent.getAllSubcomponents('valarm')) if (reminderOf(alarm)) vevent.removeSubcomponent(alarm);
  for (const r of reminders) {
    const alarm = new ICAL.Component('valarm');
    alarm.addPropertyWithValue('action', r.method === 'email' ? 'EMAIL' : 'DISPLAY');
    alarm.addPropertyWithValue('trigger', ICAL.Duration.fromSeconds(-r.minutes * 60));
    alarm.addPropertyWithValue('description', 'Reminder');
    if (r.method === 'email') {
      // RFC 5545 §3.6.6: an EMAIL alarm has a SUMMARY and at least one ATTENDEE.
      alarm.addPropertyWithValue('summary', 'Reminder');
      if (userEmail) alarm.addPropertyWithValue('attendee', `mailto:${userEmail}`);
    }
    vevent.addSubcomponent(alarm);
  }
}

/** The properties `replace` clears first: what update sets from its fields or leaves out. */
const REPLACED = ['summary', 'description', 'location', 'status', 'transp', 'class', 'attendee'];

/** Writes the event-resource fields in `body` into `vevent` (a component of `vcalendar`). */
export function applyEventFields(vcalendar: ICAL.Component, vevent: ICAL.Component, body: Record<string, unknown>, options: ApplyOptions): void {
  if (options.mode === 'replace') {
    for (const name of REPLACED) vevent.removeAllProperties(name);
    if (!options.isOverride) for (const name of RECURRENCE_PROPERTIES) vevent.removeAllProperties(name);
  }
  const has = (field: string) => body[field] !== undefined;
  for (const [field, name] of Object.entries(TEXT_FIELDS)) if (has(field)) setText(vevent, name, stringField(body[field], field));
  if (has('status')) setText(vevent, 'status', enumField(body.status, 'status', STATUS_VALUES));
  if (has('transparency')) setText(vevent, 'transp', enumField(body.transparency, 'transparency', { opaque: 'OPAQUE', transparent: 'TRANSPARENT' }));
  if (has('visibility')) {
    const v = body.visibility === 'default' ? null : enumField(body.visibility, 'visibility', VISIBILITY_VALUES);
    setText(vevent, 'class', v);
  }
  if (has('sequence')) {
    const s = body.sequence;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) throw new EventFieldError('sequence must be a non-negative integer', 'sequence');
    vevent.updatePropertyWithValue('sequence', s);
  }
  if (has('recurrence') && !options.isOverride) applyRecurrence(vevent, body.recurrence);
  if (has('organizer')) applyOrganizer(vevent, body.organizer);
  if (has('attendees')) applyAttendees(vevent, body.attendees);
  if (has('reminders')) applyReminders(vevent, body.reminders, options.userEmail);
  applyTimes(vcalendar, vevent, body);
}
