// RFC 4791 §9.7 calendar-query filter evaluation over a parsed object.
//
// Time-range tests on recurring components are made per instance (§9.9), and the
// prop-/comp-filters beside them are evaluated on that same instance's component
// (the override where there is one), so "SUMMARY contains X in March" means the
// March instance says X. Without any time-range nothing is expanded.

import ICAL from 'ical.js';
import { alarmReach, alarmTimes } from './alarms.js';
import { DAY_MS, readerFor, safeValues, type TimeReader } from './reader.js';
import { type Instance, recurrenceSets } from './recurrence.js';
import { alarmBase, eventEnd, overlaps, shapeOf } from './time-range.js';
import { floatingZone } from './timezones.js';
import type { CompFilter, PropFilter, TimeRange } from './types.js';
import type { ParamFilter } from '../text/param-filter.js';
import { textMatches } from '../text/text-match.js';

type Bounds = [lo: number, hi: number];

function bounds(r: TimeRange): Bounds {
  return [r.start ?? -Infinity, r.end ?? Infinity];
}

export function matchesFilter(vcalendar: ICAL.Component, filter: CompFilter, floatingTz?: string): boolean {
  if (filter.name.toUpperCase() !== 'VCALENDAR' || vcalendar.name !== 'vcalendar') return false;
  if (filter.isNotDefined) return false; // the object is a VCALENDAR, so it is defined
  const reader = readerFor(vcalendar, floatingZone(floatingTz));
  return (
    filter.propFilters.every((pf) => propFilterMatches(vcalendar, pf, reader)) &&
    filter.compFilters.every((cf) => topLevelMatches(cf, reader))
  );
}

/** Whether a comp-filter below this one asks for a VALARM time-range. */
function alarmRange(f: CompFilter): Bounds | null {
  let r: Bounds | null = null;
  for (const cf of f.compFilters) {
    const b = cf.timeRange && cf.name.toUpperCase() === 'VALARM' ? bounds(cf.timeRange) : alarmRange(cf);
    if (b) r = r ? [Math.min(r[0], b[0]), Math.max(r[1], b[1])] : b;
  }
  return r;
}

/** A comp-filter on VEVENT/VTODO/VJOURNAL/VFREEBUSY (or anything) inside VCALENDAR. */
function topLevelMatches(f: CompFilter, reader: TimeReader): boolean {
  const type = f.name.toUpperCase();
  const comps = reader.vcalendar.getAllSubcomponents(type.toLowerCase());
  if (f.isNotDefined) return comps.length === 0;
  if (comps.length === 0) return false;
  const own = f.timeRange ? bounds(f.timeRange) : null;
  const alarms = alarmRange(f);
  if (!own && !alarms) return comps.some((c) => bodyMatches(c, f, reader, null));

  // Instances can only matter up to this anchor time: the query's end, or for an
  // alarm range its end plus how far alarms and instance durations can reach.
  let until = own ? own[1] : Infinity;
  let from = own ? own[0] : -Infinity;
  if (!own && alarms) {
    let reach = 0;
    for (const c of comps) {
      const s = shapeOf(c, reader);
      const len = s.start !== null ? (eventEnd(s, 0, null) ?? s.start) - s.start : 0;
      reach = Math.max(reach, alarmReach(c, reader) + len);
    }
    until = alarms[1] + reach;
    from = alarms[0] - reach;
  }
  let found = false;
  for (const set of recurrenceSets(reader, type)) {
    set.forEach(from, until, (inst) => {
      if (own && !overlaps(inst.shape, inst.delta, inst.periodEnd, own[0], own[1])) return false;
      found = bodyMatches(inst.comp, f, reader, inst);
      return found;
    });
    if (found) return true;
  }
  return false;
}

/** prop-filters and nested comp-filters of `f` against `comp` (time-range already checked). */
function bodyMatches(comp: ICAL.Component, f: CompFilter, reader: TimeReader, inst: Instance | null): boolean {
  return (
    f.propFilters.every((pf) => propFilterMatches(comp, pf, reader)) &&
    f.compFilters.every((cf) => subCompMatches(comp, cf, reader, inst))
  );
}

function subCompMatches(parent: ICAL.Component, f: CompFilter, reader: TimeReader, inst: Instance | null): boolean {
  const children = parent.getAllSubcomponents(f.name.toLowerCase());
  if (f.isNotDefined) return children.length === 0;
  return children.some((child) => {
    if (f.timeRange) {
      const [lo, hi] = bounds(f.timeRange);
      if (child.name === 'valarm') {
        const shape = inst?.shape ?? shapeOf(parent, reader);
        const base = alarmBase(shape, inst?.delta ?? 0, inst?.periodEnd ?? null);
        if (!alarmTimes(child, base, reader).some((t) => lo <= t && hi > t)) return false;
      } else if (!overlaps(shapeOf(child, reader), 0, null, lo, hi)) {
        return false;
      }
    }
    return bodyMatches(child, f, reader, inst);
  });
}

function propFilterMatches(comp: ICAL.Component, f: PropFilter, reader: TimeReader): boolean {
  const props = comp.getAllProperties(f.name.toLowerCase());
  if (f.isNotDefined) return props.length === 0;
  return props.some(
    (p) =>
      (!f.timeRange || propInRange(p, bounds(f.timeRange), reader)) &&
      (!f.textMatch || textMatches(propertyText(p), f.textMatch)) &&
      f.paramFilters.every((pf) => paramFilterMatches(p, pf)),
  );
}

/** §9.9 for a date/date-time/period-valued property: any value inside the range. */
function propInRange(p: ICAL.Property, [lo, hi]: Bounds, reader: TimeReader): boolean {
  return safeValues(p).some((v) => {
    if (v instanceof ICAL.Time) {
      const t = reader.epochOf(v, reader.zoneOf(p, v));
      return v.isDate ? lo < t + DAY_MS && hi > t : lo <= t && hi > t;
    }
    if (v instanceof ICAL.Period) {
      const zone = reader.zoneOf(p, v.start);
      const s = reader.epochOf(v.start, zone);
      const e = v.end ? reader.epochOf(v.end, zone) : s + v.duration.toSeconds() * 1000;
      return lo < e && hi > s;
    }
    return false;
  });
}

/** The value as iCalendar text (text values unescaped), which is what text-match sees. */
function propertyText(p: ICAL.Property): string {
  const values = safeValues(p);
  if (values.every((v) => typeof v === 'string')) return values.join(',');
  const bare = new ICAL.Property([p.name, {}, p.type, ...p.jCal.slice(3)]);
  return bare.toICALString().slice(p.name.length + 1);
}

function paramFilterMatches(p: ICAL.Property, f: ParamFilter): boolean {
  const v = p.getParameter(f.name.toLowerCase());
  if (f.isNotDefined) return v === undefined;
  if (v === undefined) return false;
  return !f.textMatch || textMatches(Array.isArray(v) ? v.join(',') : String(v), f.textMatch);
}
