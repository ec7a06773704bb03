// RFC 4791 §9.9: when a component (or one recurrence instance of it) overlaps a
// time range, plus the inverse question the index needs: the smallest [lo, hi]
// outside which no range can match. Both are driven by the same per-type table so
// the SQL pre-filter and the confirmation can never disagree.

import ICAL from 'ical.js';
import { DAY_MS, durationMs, safeValues, type TimeReader } from './reader.js';

/** The times of one component, as epoch ms in the reader's floating zone. */
export interface Shape {
  type: string;
  start: number | null;
  startIsDate: boolean;
  /** DTEND (VEVENT/VFREEBUSY); null when absent. */
  end: number | null;
  due: number | null;
  duration: number | null;
  completed: number | null;
  created: number | null;
  freebusy: [number, number][];
  /** Whether any of these times is floating (their meaning depends on the reader). */
  floating: boolean;
  /** What recurrence instances are generated from: DTSTART, else DUE for a VTODO. */
  anchor: number | null;
}

const SHAPES = Symbol('shapes');

export function shapeOf(comp: ICAL.Component, reader: TimeReader): Shape {
  let cache = reader.memo.get(SHAPES) as WeakMap<ICAL.Component, Shape> | undefined;
  if (!cache) reader.memo.set(SHAPES, (cache = new WeakMap()));
  let s = cache.get(comp);
  if (!s) cache.set(comp, (s = computeShape(comp, reader)));
  return s;
}

function computeShape(comp: ICAL.Component, reader: TimeReader): Shape {
  let floating = false;
  const at = (name: string): number | null => {
    const i = reader.instant(comp, name);
    if (!i) return null;
    if (i.zone.floating) floating = true;
    return i.epoch;
  };
  const dtstart = comp.getFirstProperty('dtstart');
  const start = at('dtstart');
  const type = comp.name.toUpperCase();
  const due = type === 'VTODO' ? at('due') : null;
  const durProp = comp.getFirstProperty('duration');
  const freebusy: [number, number][] = [];
  if (type === 'VFREEBUSY') {
    for (const p of comp.getAllProperties('freebusy')) {
      for (const v of safeValues(p)) {
        if (!(v instanceof ICAL.Period)) continue;
        const zone = reader.zoneOf(p, v.start);
        const s = reader.epochOf(v.start, zone);
        const e = v.end ? reader.epochOf(v.end, zone) : s + (durationMs(v.duration) ?? 0);
        freebusy.push([s, e]);
      }
    }
  }
  return {
    type,
    start,
    startIsDate: dtstart ? (dtstart.type === 'date') : false,
    end: type === 'VTODO' ? null : at('dtend'),
    due,
    duration: durProp ? durationMs(safeValues(durProp)[0]) : null,
    completed: type === 'VTODO' ? at('completed') : null,
    created: type === 'VTODO' ? at('created') : null,
    freebusy,
    floating,
    anchor: start ?? due,
  };
}

/** Effective end of a VEVENT-like instance (DTEND, DURATION, or the RFC 5545 defaults). */
export function eventEnd(s: Shape, delta: number, periodEnd: number | null): number | null {
  if (s.start === null) return null;
  const st = s.start + delta;
  let en: number;
  if (periodEnd !== null) en = periodEnd;
  else if (s.end !== null) en = s.end + delta;
  else if (s.duration !== null) en = st + s.duration;
  else en = s.startIsDate ? st + DAY_MS : st;
  return Math.max(en, st); // end-before-start data is read as zero length
}

/** Start and end an alarm of this instance is relative to (RFC 5545 TRIGGER RELATED). */
export function alarmBase(s: Shape, delta: number, periodEnd: number | null): { start: number | null; end: number | null } {
  if (s.type === 'VTODO') {
    const st = s.start !== null ? s.start + delta : null;
    const end = s.due !== null ? s.due + delta : st !== null && s.duration !== null ? st + s.duration : null;
    return { start: st ?? end, end: end ?? st };
  }
  const st = s.start !== null ? s.start + delta : null;
  return { start: st, end: eventEnd(s, delta, periodEnd) };
}

/** §9.9 overlap test; `lo`/`hi` are the query range with ±Infinity for unbounded. */
export function overlaps(s: Shape, delta: number, periodEnd: number | null, lo: number, hi: number): boolean {
  const st = s.start !== null ? s.start + delta : null;
  switch (s.type) {
    case 'VTODO': {
      const du = s.due !== null ? s.due + delta : null;
      if (st !== null && s.duration !== null) return lo <= st + s.duration && (hi > st || hi >= st + s.duration);
      if (st !== null && du !== null) return (lo < du || lo <= st) && (hi > st || hi >= du);
      if (st !== null) return lo <= st && hi > st;
      if (du !== null) return lo < du && hi >= du;
      const co = s.completed, cr = s.created;
      if (co !== null && cr !== null) return (lo <= cr || lo <= co) && (hi >= cr || hi >= co);
      if (co !== null) return lo <= co && hi >= co;
      if (cr !== null) return hi > cr;
      return true;
    }
    case 'VJOURNAL':
      if (st === null) return false;
      return s.startIsDate ? lo < st + DAY_MS && hi > st : lo <= st && hi > st;
    case 'VFREEBUSY':
      if (st !== null && s.end !== null) return lo < s.end && hi > st;
      return s.freebusy.some(([a, b]) => lo < b && hi > a);
    default: {
      // VEVENT, and any other component that carries DTSTART.
      if (st === null) return false;
      const en = eventEnd(s, delta, periodEnd)!;
      return en > st ? lo < en && hi > st : lo <= st && hi > st;
    }
  }
}

/**
 * Closed interval [lo, hi] (null = unbounded) such that a range [a, b) can satisfy
 * `overlaps` only if a <= hi and b >= lo.
 */
export function span(s: Shape, delta: number, periodEnd: number | null): [number | null, number | null] {
  const st = s.start !== null ? s.start + delta : null;
  switch (s.type) {
    case 'VTODO': {
      const du = s.due !== null ? s.due + delta : null;
      if (st !== null && s.duration !== null) return [st, st + Math.max(0, s.duration)];
      if (st !== null && du !== null) return [Math.min(st, du), Math.max(st, du)];
      if (st !== null) return [st, st];
      if (du !== null) return [du, du];
      const co = s.completed, cr = s.created;
      if (co !== null && cr !== null) return [Math.min(co, cr), Math.max(co, cr)];
      if (co !== null) return [co, co];
      if (cr !== null) return [cr, null];
      return [null, null];
    }
    case 'VJOURNAL':
      if (st === null) return [null, null];
      return [st, s.startIsDate ? st + DAY_MS : st];
    case 'VFREEBUSY':
      if (st !== null && s.end !== null) return [st, Math.max(st, s.end)];
      if (s.freebusy.length === 0) return [null, null];
      return [Math.min(...s.freebusy.map((p) => p[0])), Math.max(...s.freebusy.map((p) => p[1]))];
    default:
      if (st === null) return [null, null];
      return [st, eventEnd(s, delta, periodEnd)!];
  }
}
