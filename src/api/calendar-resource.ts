import ICAL from 'ical.js';
import { formatTimestamp } from '../ical/rfc3339.js';
import type { Collection } from '../store/types.js';
import { etagOf } from '../webdav/etag.js';
import { membersReadOnly } from '../webdav/generated-collections.js';
import type { CollectionResource } from '../webdav/resource.js';

// A calendar as Google's calendars and calendarList resources show it. Every calendar
// a user has is theirs: accessRole owner, except one the server generates (reader).
// Davenport keeps no default reminders.

/** The IANA name in the calendar's CALDAV:calendar-timezone; UTC when it has none. */
export function calendarTimeZone(collection: Collection): string {
  if (!collection.timezone) return 'UTC';
  try {
    const root = ICAL.Component.fromString(collection.timezone);
    const vtimezone = root.name === 'vtimezone' ? root : root.getFirstSubcomponent('vtimezone');
    return String(vtimezone?.getFirstPropertyValue('tzid') ?? 'UTC');
  } catch {
    return 'UTC'; // unusable text reads as UTC, as floating times do (timezones.ts)
  }
}

/** A calendar the server generates (the birthday calendar) is the user's to read only. */
function accessRoleOf(collection: Collection): 'owner' | 'reader' {
  return membersReadOnly(collection) ? 'reader' : 'owner';
}

function calendarFields(collection: Collection) {
  return {
    summary: collection.displayname ?? collection.uri,
    ...(collection.description ? { description: collection.description } : {}),
    timeZone: calendarTimeZone(collection),
  };
}

/** What an events listing says about its calendar. */
export function calendarSummary(r: CollectionResource) {
  const c = r.collection;
  return {
    etag: `"${c.synctoken}"`, ...calendarFields(c), updated: formatTimestamp(c.modifiedAt),
    accessRole: accessRoleOf(c), defaultReminders: [] as [],
  };
}

function etag(collection: Collection, kind: string): string {
  return etagOf(Buffer.from(JSON.stringify([kind, collection.displayname, collection.description, collection.color, collection.timezone])));
}

/** `calendar#calendar` (calendars.get). */
export function calendarResource(r: CollectionResource) {
  return { kind: 'calendar#calendar', etag: etag(r.collection, 'calendar'), id: r.collection.uri, ...calendarFields(r.collection) };
}

/** CalDAV colours may carry an alpha channel (#RRGGBBAA); Google's are #rrggbb. */
function colorOf(collection: Collection): { backgroundColor?: string } {
  const m = collection.color ? /^#([0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(collection.color) : null;
  return m ? { backgroundColor: `#${m[1]!.toLowerCase()}` } : {};
}

/** `calendar#calendarListEntry` (calendarList.list/get). */
export function calendarListEntry(r: CollectionResource, primary: boolean) {
  return {
    kind: 'calendar#calendarListEntry', etag: etag(r.collection, 'entry'), id: r.collection.uri, ...calendarFields(r.collection),
    ...colorOf(r.collection), accessRole: accessRoleOf(r.collection), defaultReminders: [], selected: true,
    ...(primary ? { primary: true } : {}),
  };
}
