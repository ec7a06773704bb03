// Wall-clock → UTC conversion for every kind of time an object can carry: UTC,
// TZID resolved through the object's own VTIMEZONE, a bare IANA TZID (through
// Node's ICU data), and floating time (the calendar-timezone, else UTC).
//
// We never register anything with ical.js's global TimezoneService: two objects may
// use the same TZID with different definitions, and each must get its own.

import ICAL from 'ical.js';

export interface Zone {
  /** True for floating time: its meaning depends on the reader's time zone. */
  readonly floating: boolean;
  toEpoch(y: number, mo: number, d: number, h: number, mi: number, s: number): number;
}

/** Epoch ms of a wall-clock time read as UTC; Date.UTC would map years 0–99 to 19xx. */
export function wallMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime();
}

export const UTC_ZONE: Zone = { floating: false, toEpoch: wallMs };
export const FLOATING_UTC: Zone = { floating: true, toEpoch: wallMs };

// ical.js expands a VTIMEZONE's observances up to the year asked for; far-future
// instances (UNTIL=5000…) would make it expand millennia. Offsets past this year
// are taken from the same date in it.
const LAST_EXPANDED_YEAR = 2200;

/**
 * ical.js's Timezone#utcOffset replayed on numbers over the same expanded changes:
 * the original clones a change and builds ICAL.Time objects on every call, which
 * made it the largest allocation of a PUT. test/ical-timezones.test.ts checks the
 * two agree at every quarter hour around the transitions.
 */
class OffsetTable {
  private changeCount = -1;
  private coveredYear = -Infinity;
  /** Per change (ical.js keeps them in UTC): its instant read as a wall clock. */
  private utc: number[] = [];
  /** The wall-clock time from which the change applies. */
  private from: number[] = [];
  private offset: number[] = [];
  private prevOffset: number[] = [];
  private daylight: boolean[] = [];

  constructor(private readonly tz: ICAL.Timezone) {}

  /** UTC offset in seconds at a wall-clock time. */
  offsetAt(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
    if (y > this.coveredYear) this.cover(y, mo, d, h, mi, s);
    const n = this.utc.length;
    if (n === 0) return 0;
    const t = wallMs(y, mo, d, h, mi, s);
    let i = this.nearby(t);
    let use = -1;
    let step = 1;
    for (;;) {
      if (t >= this.from[i]!) use = i;
      else step = -1;
      if (step === -1 && use !== -1) break;
      i += step;
      if (i < 0) return 0;
      if (i >= n) break;
    }
    // In the repeated hour after a change back, ical.js prefers standard time.
    if (this.offset[use]! < this.prevOffset[use]! && use > 0 && t < this.utc[use]! + this.prevOffset[use]! * 1000) {
      if (this.daylight[use] && !this.daylight[use - 1]) use -= 1;
    }
    return this.offset[use]!;
  }

  /** binsearchInsert of ical.js: where `t` would go among the changes. */
  private nearby(t: number): number {
    let lo = 0, hi = this.utc.length - 1, mid = 0, cmp = 0;
    while (lo <= hi) {
      mid = lo + Math.floor((hi - lo) / 2);
      cmp = Math.sign(t - this.utc[mid]!);
      if (cmp < 0) hi = mid - 1;
      else if (cmp > 0) lo = mid + 1;
      else break;
    }
    return Math.min(cmp > 0 ? mid + 1 : mid, this.utc.length - 1);
  }

  private cover(y: number, mo: number, d: number, h: number, mi: number, s: number): void {
    // ical.js extends its changes on demand; asking it once for this year does that.
    this.tz.utcOffset({ year: y, month: mo, day: d, hour: h, minute: mi, second: s } as unknown as ICAL.Time);
    this.coveredYear = y;
    const changes = this.tz.changes as { year: number; month: number; day: number; hour: number; minute: number; second: number; utcOffset: number; prevUtcOffset: number; is_daylight: boolean }[];
    if (changes.length === this.changeCount) return;
    this.changeCount = changes.length;
    this.utc = changes.map((c) => wallMs(c.year, c.month, c.day, c.hour, c.minute, c.second));
    this.from = changes.map((c, i) => this.utc[i]! + Math.min(c.utcOffset, c.prevUtcOffset) * 1000);
    this.offset = changes.map((c) => c.utcOffset);
    this.prevOffset = changes.map((c) => c.prevUtcOffset);
    this.daylight = changes.map((c) => c.is_daylight);
  }
}

// Shared by every object whose VTIMEZONE is the same (parsedVtimezone).
const offsetTables = new WeakMap<ICAL.Timezone, OffsetTable>();

function vtimezoneZone(tz: ICAL.Timezone, floating: boolean): Zone {
  const offsets = offsetTables.get(tz) ?? new OffsetTable(tz);
  offsetTables.set(tz, offsets);
  return {
    floating,
    toEpoch(y, mo, d, h, mi, s) {
      let offset = 0;
      try {
        offset = offsets.offsetAt(Math.min(y, LAST_EXPANDED_YEAR), mo, d, h, mi, s);
      } catch {
        // A VTIMEZONE ical.js cannot expand reads as UTC rather than failing a query.
      }
      return wallMs(y, mo, d, h, mi, s) - offset * 1000;
    },
  };
}

function intlZone(tzid: string): Zone | null {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tzid, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return null; // not an IANA name ICU knows
  }
  const offsetAt = (epoch: number): number => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(epoch)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    return wallMs(p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(epoch / 1000) * 1000;
  };
  return {
    floating: false,
    toEpoch(y, mo, d, h, mi, s) {
      const naive = wallMs(y, mo, d, h, mi, s);
      const first = naive - offsetAt(naive);
      const second = naive - offsetAt(first); // corrects a guess made across a transition
      return second;
    },
  };
}

/** Small bounded memo: cleared wholesale when full, which is rare and cheap. */
function memo<V>(limit: number): Map<string, V> & { put(k: string, v: V): V } {
  const m = new Map<string, V>() as Map<string, V> & { put(k: string, v: V): V };
  m.put = (k, v) => {
    if (m.size >= limit) m.clear();
    m.set(k, v);
    return v;
  };
  return m;
}

// Keyed by the VTIMEZONE's full content, so same-named but different definitions
// never share an entry, while the thousands of identical Europe/Berlin blocks in a
// calendar share one expansion.
const vtimezones = memo<ICAL.Timezone>(512);
const ianaZones = memo<Zone | null>(512);
const floatingZones = memo<Zone>(64);

function parsedVtimezone(comp: ICAL.Component): ICAL.Timezone {
  const key = JSON.stringify(comp.jCal);
  return vtimezones.get(key) ?? vtimezones.put(key, new ICAL.Timezone({ component: comp, tzid: String(comp.getFirstPropertyValue('tzid')) }));
}

export function ianaZone(tzid: string): Zone | null {
  const hit = ianaZones.get(tzid);
  return hit !== undefined ? hit : ianaZones.put(tzid, intlZone(tzid));
}

/**
 * The zone floating times are read in, from a CALDAV:calendar-timezone value
 * (a VCALENDAR holding one VTIMEZONE, or a bare VTIMEZONE). Unusable text → UTC.
 */
export function floatingZone(vtimezoneText: string | undefined): Zone {
  if (!vtimezoneText) return FLOATING_UTC;
  const hit = floatingZones.get(vtimezoneText);
  if (hit) return hit;
  let zone: Zone = FLOATING_UTC;
  try {
    const root = ICAL.Component.fromString(vtimezoneText);
    const vtz = root.name === 'vtimezone' ? root : root.getFirstSubcomponent('vtimezone');
    if (vtz) zone = vtimezoneZone(parsedVtimezone(vtz), true);
  } catch {
    // A broken calendar-timezone must not break queries; UTC is the documented default.
  }
  return floatingZones.put(vtimezoneText, zone);
}

const tables = new WeakMap<ICAL.Component, Map<string, Zone | null>>();

/**
 * Resolves a TZID for one VCALENDAR: its own VTIMEZONE first (custom names such as
 * 'America/New_Yrok' or Windows names), then IANA; null means "read as floating".
 */
export function resolveTzid(vcalendar: ICAL.Component, tzid: string): Zone | null {
  let table = tables.get(vcalendar);
  if (!table) tables.set(vcalendar, (table = new Map()));
  const hit = table.get(tzid);
  if (hit !== undefined) return hit;
  const vtz = vcalendar.getAllSubcomponents('vtimezone').find((c) => c.getFirstPropertyValue('tzid') === tzid);
  let zone: Zone | null = null;
  if (vtz) {
    try {
      zone = vtimezoneZone(parsedVtimezone(vtz), false);
    } catch {
      zone = null;
    }
  }
  zone ??= ianaZone(tzid);
  table.set(tzid, zone);
  return zone;
}
