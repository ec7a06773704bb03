// The calendar time index: the intervals in which a calendar object can match a CalDAV
// time-range, one per instance, computed at PUT and kept in the store's interval index
// (IntervalIndex in store/types.ts), so a calendar-query finds its results without
// reading the collection. Everything calendar-specific about it is in this file.
//
// Every RFC 4791 §9.9 rule (VEVENT with or without duration, all-day, VTODO's table,
// VJOURNAL) is rewritten into one form, the zero-or-positive-length event test:
//
//   [a, b) matches [s, e]  ⇔  s < b  ∧  (e > a  ∨  (e = s ∧ s ≥ a))
//
// Times are integer milliseconds, so "a ≤ t" is "a < t + 1": closed ends become
// half-open ones by one millisecond. `eventInterval` is checked against `overlaps`
// (the definition the filter uses) by test/ical-time-index.test.ts.

import { createHash } from 'node:crypto';
import type ICAL from 'ical.js';
import type { IntervalIndex, IntervalMatch, IntervalSet } from '../store/types.js';
import { DAY_MS, readerFor, type TimeReader } from './reader.js';
import { recurrenceSets, type Instance, type RecurrenceSet } from './recurrence.js';
import { eventEnd, shapeOf, span, type Shape } from './time-range.js';
import { floatingZone } from './timezones.js';

export const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** How far two placements of the same floating time can differ (UTC−12 … UTC+14). */
export const FLOATING_SLACK_MS = 26 * 3_600_000;

/** Open-ended series are expanded this far past max(now, DTSTART). */
export const HORIZON_MS = 5 * 365 * DAY_MS;

/** At most this many spans per object; longer series are indexed up to there. */
export const MAX_SPANS = 2000;

/**
 * One instance in "half-open event form" (see above). `exact` false: it only
 * pre-selects, a match must be confirmed against the data.
 */
export interface TimeSpan {
  start: number;
  end: number;
  exact: boolean;
  /**
   * Placed from floating times in the zone `TimeIndex.floatingZone`: exact only while a
   * query reads floating times in that same zone; otherwise it can be off by up to
   * FLOATING_SLACK_MS either way and only pre-selects.
   */
  floating: boolean;
}

export interface TimeIndex {
  spans: TimeSpan[];
  /** Spans hold every instance matching a range that ends before this; null = all. */
  completeUntil: number | null;
  /** floatingZoneKey of the calendar-timezone floating times were read in. */
  floatingZone: string | null;
}

/** Identifies a calendar-timezone value (null/empty: UTC) for floating spans. */
export function floatingZoneKey(calendarTimezone: string | null | undefined): string | null {
  if (!calendarTimezone) return null;
  return createHash('sha256').update(calendarTimezone).digest('base64url').slice(0, 22);
}

/** Whether [a, b) matches the event-form interval [s, e]. */
export function eventFormMatches(s: number, e: number, a: number, b: number): boolean {
  return s < b && (e > a || (e === s && s >= a));
}

/**
 * One instance as an event-form interval [s, e] (null: never matches), and whether
 * the test on it is exactly §9.9 (false: it is a superset; confirm against the data).
 */
export function eventInterval(sh: Shape, delta: number, periodEnd: number | null): { start: number; end: number; exact: boolean } | null {
  const st = sh.start !== null ? sh.start + delta : null;
  const iv = (start: number, end: number) => ({ start, end, exact: true });
  switch (sh.type) {
    case 'VTODO': {
      const du = sh.due !== null ? sh.due + delta : null;
      if (st !== null && sh.duration !== null) {
        const e = st + sh.duration;
        // a ≤ e ∧ (b > st ∨ b ≥ e)
        return sh.duration > 0 ? iv(st, e + 1) : iv(e - 1, e + 1);
      }
      if (st !== null && du !== null) {
        // (a < du ∨ a ≤ st) ∧ (b > st ∨ b ≥ du)
        if (du > st) return iv(st, du);
        return iv(du - 1, st + 1);
      }
      if (st !== null) return iv(st, st); // a ≤ st ∧ b > st
      if (du !== null) return iv(du - 1, du); // a < du ∧ b ≥ du
      const co = sh.completed, cr = sh.created;
      if (co !== null && cr !== null) return iv(Math.min(co, cr) - 1, Math.max(co, cr) + 1);
      if (co !== null) return iv(co - 1, co + 1);
      if (cr !== null) return iv(cr, UNBOUNDED); // b > cr
      return iv(-UNBOUNDED, UNBOUNDED);
    }
    case 'VJOURNAL':
      if (st === null) return null;
      return sh.startIsDate ? iv(st, st + DAY_MS) : iv(st, st);
    case 'VEVENT':
      if (st === null) return null;
      return iv(st, eventEnd(sh, delta, periodEnd)!);
    default: {
      // VFREEBUSY and anything else: the closed span, as a pre-selection only.
      const [lo, hi] = span(sh, delta, periodEnd);
      if (sh.type !== 'VFREEBUSY' && st === null) return null;
      return { start: lo === null ? -UNBOUNDED : lo - 1, end: hi === null ? UNBOUNDED : hi + 1, exact: false };
    }
  }
}

function toSpan(inst: Instance): TimeSpan | null {
  const iv = eventInterval(inst.shape, inst.delta, inst.periodEnd);
  if (!iv) return null;
  const floating = inst.shape.floating;
  if (iv.exact || !floating) return { ...iv, floating };
  // A pre-selecting span from floating times: wide enough for any placement.
  return {
    start: Math.max(-UNBOUNDED, iv.start - FLOATING_SLACK_MS),
    end: Math.min(UNBOUNDED, iv.end + FLOATING_SLACK_MS),
    exact: false,
    floating: false,
  };
}

/** How far an instance's event-form start can lie before its anchor (DTSTART or DUE). */
function leadOf(sh: Shape): number {
  if (sh.anchor === null) return 0;
  const iv = eventInterval(sh, 0, null);
  let lead = iv ? Math.max(0, sh.anchor - iv.start) : 0;
  if (sh.floating) lead += FLOATING_SLACK_MS;
  return lead;
}

/**
 * The spans of one recurrence set up to `until` (anchor time) and the bound below
 * which they are complete.
 */
function setSpans(set: RecurrenceSet, reader: TimeReader, now: number, out: TimeSpan[]): number {
  const until = set.infinite ? Math.max(now, set.anchorEpoch ?? now) + HORIZON_MS : Infinity;
  const overrideRids = new Set(set.overrides.map((o) => o.rid));
  let maxRid = -Infinity;
  const complete = set.forEach(-Infinity, until, (inst) => {
    if (inst.rid && !overrideRids.has(inst.rid)) maxRid = Math.max(maxRid, inst.rid.epoch);
    const s = toSpan(inst);
    if (s) out.push(s);
  });
  if (!set.recurring) return Infinity;

  // Instances not generated have a recurrence id past `until` (or past the last one
  // generated, when generation was cut); a THISANDFUTURE override can move them
  // earlier by `backShift`, and their event-form start can precede the anchor by `lead`.
  let backShift = 0;
  let lead = set.master ? leadOf(shapeOf(set.master, reader)) : 0;
  for (const o of set.overrides) {
    const sh = shapeOf(o.comp, reader);
    lead = Math.max(lead, leadOf(sh));
    const range = o.comp.getFirstProperty('recurrence-id')?.getFirstParameter('range');
    if (typeof range === 'string' && range.toUpperCase() === 'THISANDFUTURE' && sh.anchor !== null) {
      backShift = Math.max(backShift, o.rid.epoch - sh.anchor);
    }
  }
  let bound = Infinity;
  if (!complete) bound = maxRid - backShift - lead;
  else if (Number.isFinite(until)) bound = until - lead;
  return bound;
}

/**
 * The time index of a parsed calendar object whose main component is `type`, with
 * floating times read in `calendarTimezone` (the collection's; absent = UTC).
 * `now` places the horizon of open-ended series.
 */
export function objectTimeIndex(
  vcalendar: ICAL.Component, type: string, calendarTimezone?: string | null, now = Date.now(),
): TimeIndex {
  const reader = readerFor(vcalendar, floatingZone(calendarTimezone ?? undefined));
  let spans: TimeSpan[] = [];
  let completeUntil = Infinity;
  for (const set of recurrenceSets(reader, type)) {
    completeUntil = Math.min(completeUntil, setSpans(set, reader, now, spans));
  }
  if (spans.length > MAX_SPANS) {
    spans.sort((x, y) => x.start - y.start);
    const cut = spans[MAX_SPANS]!.start;
    spans = spans.filter((s) => s.start < cut);
    completeUntil = Math.min(completeUntil, cut);
  }
  return {
    spans,
    completeUntil: completeUntil === Infinity ? null : Math.max(-UNBOUNDED, Math.min(UNBOUNDED, Math.floor(completeUntil))),
    floatingZone: floatingZoneKey(calendarTimezone),
  };
}

/** The store's form of a time index: floating spans are exact for their zone only. */
function intervalSet(index: TimeIndex): IntervalSet {
  return {
    intervals: index.spans.map((s) => ({
      start: s.start, end: s.end, precision: !s.exact ? 'candidate' : s.floating ? 'exactForTag' : 'exact',
    })),
    completeUntil: index.completeUntil,
    tag: index.floatingZone,
  };
}

/** Stores the time index of an object just written (its id from putObject). */
export function storeTimeIndex(
  store: IntervalIndex, collectionId: number, component: string, objectId: number, index: TimeIndex,
): Promise<void> {
  return store.replaceIntervals(collectionId, component, objectId, intervalSet(index));
}

/**
 * Objects of `component` that may overlap [start, end) (null = unbounded), each marked
 * whether the index alone decides it; floating times read in `calendarTimezone`.
 */
export function objectsInRange(
  store: IntervalIndex, collectionId: number, component: string,
  range: { start: number | null; end: number | null }, calendarTimezone: string | null,
): Promise<IntervalMatch[]> {
  return store.overlapping({
    collectionId, component, start: range.start, end: range.end,
    tag: floatingZoneKey(calendarTimezone), slack: FLOATING_SLACK_MS,
  });
}
