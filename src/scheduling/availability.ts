// RFC 7953 availability: a VCALENDAR of VAVAILABILITY components, each saying "in this
// span I am BUSY-UNAVAILABLE (or its BUSYTYPE) except in these AVAILABLE periods".
// Kept as the inbox's calendar-availability property (§7.2.4); free-busy lookups
// turn it into busy periods.

import type ICAL from 'ical.js';
import { parseVcalendar } from '../ical/calendar-object.js';
import { ExpansionLimitError, type ExpansionBudget } from '../ical/expansion-budget.js';
import { readerFor, type TimeReader } from '../ical/reader.js';
import { MAX_GENERATED, RecurrenceSet } from '../ical/recurrence.js';
import { eventEnd, overlaps, shapeOf } from '../ical/time-range.js';
import { findInvalidValue } from '../ical/validate-values.js';
import { isEmptyPlaceholder, vtimezoneProblem } from '../ical/vtimezone-validity.js';
import { strongestCover, type BusyPeriod, type BusyType, type Claim } from './freebusy-periods.js';

const BUSY_TYPES: readonly string[] = ['BUSY', 'BUSY-UNAVAILABLE', 'BUSY-TENTATIVE'];

/** Thrown for a calendar-availability value that is not usable availability. */
export class AvailabilityError extends Error {}

/**
 * A calendar-availability value (RFC 7953 §3.1) read and checked: one VCALENDAR
 * holding VAVAILABILITY components (and the VTIMEZONEs they use), each with a UID, a
 * span that ends after it starts and AVAILABLE members with UID, DTSTART and an end.
 * Throws AvailabilityError saying what is wrong otherwise.
 */
export function parseAvailability(text: string): ICAL.Component {
  let vcalendar: ICAL.Component;
  try {
    vcalendar = parseVcalendar(text);
  } catch (e) {
    throw new AvailabilityError((e as Error).message);
  }
  const problem = findInvalidValue(vcalendar.jCal) ?? structureProblem(vcalendar);
  if (problem) throw new AvailabilityError(problem);
  return vcalendar;
}

function structureProblem(vcalendar: ICAL.Component): string | undefined {
  if (vcalendar.hasProperty('method')) return 'METHOD is not allowed in calendar-availability';
  const subs = vcalendar.getAllSubcomponents();
  const other = subs.find((c) => c.name !== 'vavailability' && c.name !== 'vtimezone' && !c.name.startsWith('x-'));
  if (other) return `calendar-availability holds ${other.name.toUpperCase()}; only VAVAILABILITY (and VTIMEZONE) belong there`;
  const timezones = subs.filter((c) => c.name === 'vtimezone' && !isEmptyPlaceholder(c));
  const zoneProblem = timezones.map(vtimezoneProblem).find((p) => p !== undefined);
  if (zoneProblem) return zoneProblem;
  const availabilities = subs.filter((c) => c.name === 'vavailability');
  if (availabilities.length === 0) return 'calendar-availability holds no VAVAILABILITY';
  const reader = readerFor(vcalendar);
  for (const va of availabilities) {
    const problem = spanProblem(va, reader, 'VAVAILABILITY', false);
    if (problem) return problem;
    const busytype = va.getFirstPropertyValue('busytype');
    if (busytype !== null && !BUSY_TYPES.includes(String(busytype).toUpperCase()) && !/^X-/i.test(String(busytype))) {
      return `VAVAILABILITY BUSYTYPE ${String(busytype)} is not BUSY, BUSY-UNAVAILABLE or BUSY-TENTATIVE`;
    }
    for (const member of va.getAllSubcomponents()) {
      if (member.name !== 'available') return `VAVAILABILITY holds ${member.name.toUpperCase()}; only AVAILABLE belongs there`;
      const memberProblem = spanProblem(member, reader, 'AVAILABLE', true);
      if (memberProblem) return memberProblem;
    }
  }
  return undefined;
}

/** UID, and a start/end pair that makes sense; `bounded`: DTSTART and an end are required. */
function spanProblem(comp: ICAL.Component, reader: TimeReader, what: string, bounded: boolean): string | undefined {
  if (!String(comp.getFirstPropertyValue('uid') ?? '').trim()) return `${what} has no UID`;
  if (comp.hasProperty('dtend') && comp.hasProperty('duration')) return `${what} has both DTEND and DURATION`;
  const start = reader.instant(comp, 'dtstart');
  if (bounded && !start) return `${what} has no DTSTART`;
  if (bounded && !comp.hasProperty('dtend') && !comp.hasProperty('duration')) return `${what} has neither DTEND nor DURATION`;
  const shape = shapeOf(comp, reader);
  const end = shape.end ?? (start && shape.duration !== null ? start.epoch + shape.duration : null);
  if (start && end !== null && end <= start.epoch) return `${what} ends before it starts`;
  return undefined;
}

/** PRIORITY 1 is the highest, 9 the lowest; 0 or none is below 9 (RFC 7953 §4). */
function precedence(va: ICAL.Component): number {
  const p = Number(va.getFirstPropertyValue('priority') ?? 0);
  return Number.isInteger(p) && p >= 1 && p <= 9 ? 10 - p : 0;
}

function busyTypeOf(va: ICAL.Component): BusyType {
  const t = String(va.getFirstPropertyValue('busytype') ?? '').toUpperCase();
  return BUSY_TYPES.includes(t) ? (t as BusyType) : 'BUSY-UNAVAILABLE';
}

/**
 * The busy time `availability` gives within [lo, hi) (RFC 7953 §4): each VAVAILABILITY
 * makes its span busy with its BUSYTYPE except in its AVAILABLE instances; one of
 * higher priority overrides lower ones where they overlap, and of equal priority the
 * AVAILABLE periods of all of them count. Every AVAILABLE instance is charged to `budget`.
 */
export function availabilityBusy(availability: ICAL.Component, lo: number, hi: number, budget: ExpansionBudget): BusyPeriod[] {
  const reader = readerFor(availability);
  const byPrecedence = availability.getAllSubcomponents('vavailability').sort((a, b) => precedence(a) - precedence(b));
  // Painted in order, each claim over the ones before it: per priority level first
  // the spans, then the periods available within them.
  const claims: Claim<BusyType | 'FREE'>[] = [];
  const paint = (start: number, end: number, value: BusyType | 'FREE') => {
    const s = Math.max(start, lo), e = Math.min(end, hi);
    if (e > s) claims.push({ start: s, end: e, rank: claims.length, value });
  };
  for (let i = 0; i < byPrecedence.length; ) {
    const level = precedence(byPrecedence[i]!);
    const group: { va: ICAL.Component; start: number; end: number }[] = [];
    for (; i < byPrecedence.length && precedence(byPrecedence[i]!) === level; i++) {
      const va = byPrecedence[i]!;
      const shape = shapeOf(va, reader);
      const start = shape.start ?? -Infinity;
      const end = shape.end ?? (shape.start !== null && shape.duration !== null ? shape.start + shape.duration : Infinity);
      group.push({ va, start, end });
      paint(start, end, busyTypeOf(va));
    }
    for (const { va, start, end } of group) {
      for (const [s, e] of availableInstances(va, reader, Math.max(lo, start), Math.min(hi, end), budget)) {
        paint(Math.max(s, start), Math.min(e, end), 'FREE');
      }
    }
  }
  return strongestCover(claims).flatMap((s) => (s.value === 'FREE' ? [] : [{ start: s.start, end: s.end, type: s.value }]));
}

/** The AVAILABLE instances of one VAVAILABILITY overlapping [lo, hi), recurrences expanded. */
function availableInstances(va: ICAL.Component, reader: TimeReader, lo: number, hi: number, budget: ExpansionBudget): [number, number][] {
  if (hi <= lo) return [];
  const byUid = new Map<string, ICAL.Component[]>();
  for (const c of va.getAllSubcomponents('available')) {
    const uid = String(c.getFirstPropertyValue('uid') ?? '');
    byUid.set(uid, [...(byUid.get(uid) ?? []), c]);
  }
  const out: [number, number][] = [];
  for (const comps of byUid.values()) {
    const set = new RecurrenceSet(comps, reader);
    const complete = set.forEach(lo, hi, (inst) => {
      if (inst.shape.start === null || !overlaps(inst.shape, inst.delta, inst.periodEnd, lo, hi)) return;
      budget.charge(inst.comp);
      out.push([inst.shape.start + inst.delta, eventEnd(inst.shape, inst.delta, inst.periodEnd)!]);
    });
    if (!complete) throw new ExpansionLimitError(`an AVAILABLE recurrence makes more than ${MAX_GENERATED} instances before the end of the range`);
  }
  return out;
}
