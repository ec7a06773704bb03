// Reads the date/time values of one parsed VCALENDAR as epoch milliseconds, for one
// choice of floating zone. A reader is memoised per (object, floating zone), so the
// per-component work (zones, shapes, recurrence sets) is done once per parse.

import ICAL from 'ical.js';
import { FLOATING_UTC, resolveTzid, type Zone, UTC_ZONE } from './timezones.js';

export const DAY_MS = 86_400_000;

/** The wall-clock fields of a date/time value (ICAL.Time has them). */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly isDate: boolean;
}

/**
 * A plain copy of a time's wall clock. ICAL.Time#clone goes through a generic
 * property-by-property setter and dominated the cost of expanding a series.
 */
export function wallTime(t: WallTime): WallTime {
  return { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, isDate: t.isDate };
}

/** A date/time value placed on the UTC time line. */
export interface Instant {
  epoch: number;
  time: ICAL.Time;
  zone: Zone;
}

export class TimeReader {
  /** Per-reader memo slots for the modules built on top (shapes, recurrence sets). */
  readonly memo = new Map<unknown, unknown>();

  constructor(readonly vcalendar: ICAL.Component, readonly floating: Zone) {}

  /** The zone of a value; `floatingAs` replaces floating (e.g. EXDATE read in DTSTART's zone). */
  zoneOf(prop: ICAL.Property, t: ICAL.Time, floatingAs?: Zone): Zone {
    if (t.zone === ICAL.Timezone.utcTimezone || t.zone?.tzid === 'UTC') return UTC_ZONE;
    const tzid = prop.getFirstParameter('tzid');
    const zone = tzid && !t.isDate ? resolveTzid(this.vcalendar, tzid) : null;
    return zone ?? floatingAs ?? this.floating;
  }

  epochOf(t: WallTime, zone: Zone): number {
    return t.isDate ? zone.toEpoch(t.year, t.month, t.day, 0, 0, 0) : zone.toEpoch(t.year, t.month, t.day, t.hour, t.minute, t.second);
  }

  /** First value of a date/date-time property, or null when absent or not a time. */
  instant(comp: ICAL.Component, name: string, floatingAs?: Zone): Instant | null {
    const prop = comp.getFirstProperty(name);
    if (!prop) return null;
    const t = safeValue(prop);
    if (!(t instanceof ICAL.Time)) return null;
    const zone = this.zoneOf(prop, t, floatingAs);
    return { epoch: this.epochOf(t, zone), time: t, zone };
  }
}

/** Property value, or null where ical.js cannot decorate it (tolerated bad data). */
export function safeValue(prop: ICAL.Property): unknown {
  try {
    return prop.getFirstValue();
  } catch {
    return null;
  }
}

export function safeValues(prop: ICAL.Property): unknown[] {
  try {
    return prop.getValues();
  } catch {
    return [];
  }
}

export function durationMs(v: unknown): number | null {
  return v instanceof ICAL.Duration ? v.toSeconds() * 1000 : null;
}

const readers = new WeakMap<ICAL.Component, Map<Zone, TimeReader>>();

export function readerFor(vcalendar: ICAL.Component, floating: Zone = FLOATING_UTC): TimeReader {
  let byZone = readers.get(vcalendar);
  if (!byZone) readers.set(vcalendar, (byZone = new Map()));
  let r = byZone.get(floating);
  if (!r) byZone.set(floating, (r = new TimeReader(vcalendar, floating)));
  return r;
}
