// Busy time (RFC 4791 §7.10, RFC 6638 §5): from the events and VFREEBUSY components of
// calendars, found through the time index and expanded with the same recurrence code
// the queries use, plus the owner's availability. Bounded per request by an
// ExpansionBudget: an answer is exact or refused, never silently cut.

import ICAL from 'ical.js';
import { parseStored } from '../ical/calendar-object.js';
import { ExpansionBudget, type ExpansionLimits } from '../ical/expansion-budget.js';
import { readerFor, durationMs, safeValues, type TimeReader } from '../ical/reader.js';
import { instancesOverlapping } from '../ical/recurrence.js';
import { paced } from '../ical/steps.js';
import { objectsInRange } from '../ical/time-index.js';
import { eventEnd } from '../ical/time-range.js';
import { floatingZone } from '../ical/timezones.js';
import type { Collection, CollectionStore, IntervalIndex, StoredObject } from '../store/types.js';
import { decodeText } from '../text/decode.js';
import { EventLoopTurn } from '../webdav/event-loop-turn.js';
import { availabilityBusy } from './availability.js';
import { mergeBusy, type BusyPeriod, type BusyType } from './freebusy-periods.js';

/**
 * What one free-busy request may expand. Nothing is rendered, so size does not count;
 * instances do: a year of several daily meetings is well inside, a minutely series
 * over a century is not.
 */
export const FREEBUSY_LIMITS: ExpansionLimits = { instances: 50_000, bytes: Number.MAX_SAFE_INTEGER, milliseconds: 5_000 };

export function freeBusyBudget(): ExpansionBudget {
  return new ExpansionBudget(FREEBUSY_LIMITS);
}

/** The components that make busy time (§7.10: VEVENT and VFREEBUSY). */
const BUSY_COMPONENTS = ['VEVENT', 'VFREEBUSY'];

/** Members read per lookup. */
const PAGE = 500;

/** Whose busy time, and what a lookup leaves out. */
export interface BusyOwner {
  /** Lets an event the owner declined count as free. */
  isOwnAddress(address: string): boolean;
  /**
   * The event being scheduled, whose own time is not busy time for the question
   * (CalendarServer's X-CALENDARSERVER-MASK-UID, which Apple Calendar sends).
   */
  maskUid?: string;
}

/**
 * RFC 4791 §7.10's table: TRANSPARENT or CANCELLED is free, TENTATIVE is tentative,
 * anything else busy; an invitation the owner declined is free too.
 */
function eventBusyType(comp: ICAL.Component, owner: BusyOwner | undefined): BusyType | null {
  if (String(comp.getFirstPropertyValue('transp') ?? '').toUpperCase() === 'TRANSPARENT') return null;
  const status = String(comp.getFirstPropertyValue('status') ?? '').toUpperCase();
  if (status === 'CANCELLED') return null;
  if (owner && declinedBy(comp, owner)) return null;
  return status === 'TENTATIVE' ? 'BUSY-TENTATIVE' : 'BUSY';
}

function declinedBy(comp: ICAL.Component, owner: BusyOwner): boolean {
  return comp.getAllProperties('attendee').some((a) =>
    owner.isOwnAddress(String(a.getFirstValue() ?? '')) &&
    String(a.getFirstParameter('partstat') ?? '').toUpperCase() === 'DECLINED');
}

function masked(comp: ICAL.Component, owner: BusyOwner | undefined): boolean {
  return owner?.maskUid !== undefined && String(comp.getFirstPropertyValue('uid') ?? '') === owner.maskUid;
}

/** FBTYPE of a stored FREEBUSY property: FREE is no busy time, unknown types are busy (RFC 5545 §3.2.9). */
function fbType(prop: ICAL.Property): BusyType | null {
  const t = String(prop.getFirstParameter('fbtype') ?? 'BUSY').toUpperCase();
  if (t === 'FREE') return null;
  return t === 'BUSY-TENTATIVE' || t === 'BUSY-UNAVAILABLE' ? t : 'BUSY';
}

/** The FREEBUSY periods of a stored VFREEBUSY component. */
function storedFreeBusy(comp: ICAL.Component, reader: TimeReader, out: BusyPeriod[]): void {
  for (const prop of comp.getAllProperties('freebusy')) {
    const type = fbType(prop);
    if (!type) continue;
    for (const v of safeValues(prop)) {
      if (!(v instanceof ICAL.Period)) continue;
      const zone = reader.zoneOf(prop, v.start);
      const start = reader.epochOf(v.start, zone);
      const end = v.end ? reader.epochOf(v.end, zone) : start + (durationMs(v.duration) ?? 0);
      out.push({ start, end, type });
    }
  }
}

/** The busy periods (unmerged) one calendar object contributes to [lo, hi), pausing as its expansion goes. */
async function objectBusy(
  vcalendar: ICAL.Component, calendarTimezone: string | null, lo: number, hi: number, budget: ExpansionBudget, owner: BusyOwner | undefined,
  turn: EventLoopTurn,
): Promise<BusyPeriod[]> {
  const reader = readerFor(vcalendar, floatingZone(calendarTimezone ?? undefined));
  const out: BusyPeriod[] = [];
  for (const inst of await paced(instancesOverlapping(reader, lo, hi, budget), () => turn.pause())) {
    if (inst.shape.type === 'VFREEBUSY') {
      storedFreeBusy(inst.comp, reader, out);
    } else if (inst.shape.type === 'VEVENT' && inst.shape.start !== null && !masked(inst.comp, owner)) {
      const type = eventBusyType(inst.comp, owner);
      const start = inst.shape.start + inst.delta;
      if (type) out.push({ start, end: eventEnd(inst.shape, inst.delta, inst.periodEnd)!, type });
    }
  }
  return out;
}

/**
 * The busy periods (unmerged) of one calendar within [lo, hi): its events and
 * VFREEBUSY components the time index finds there, read a page at a time.
 */
export async function calendarBusy(
  store: CollectionStore & IntervalIndex, calendar: Collection, lo: number, hi: number, budget: ExpansionBudget, owner?: BusyOwner,
): Promise<BusyPeriod[]> {
  const out: BusyPeriod[] = [];
  const turn = new EventLoopTurn();
  for (const component of BUSY_COMPONENTS) {
    const matches = await objectsInRange(store, calendar.id, component, { start: lo, end: hi }, calendar.timezone);
    for (let i = 0; i < matches.length; i += PAGE) {
      const page: StoredObject[] = await store.getObjects(calendar.id, matches.slice(i, i + PAGE).map((m) => m.uri));
      for (const o of page) {
        out.push(...(await objectBusy(parseStored(decodeText(o.data)), calendar.timezone, lo, hi, budget, owner, turn)));
        await turn.pause();
      }
    }
  }
  return out;
}

/** What a user's busy time is made of: the calendars that count, and their availability. */
export interface BusySources {
  calendars: Collection[];
  /** The user's calendar-availability, parsed; undefined when none is set. */
  availability: ICAL.Component | undefined;
  owner: BusyOwner;
}

/** Merged busy time within [lo, hi) from `sources`; throws ExpansionLimitError past the budget. */
export async function busyTime(
  store: CollectionStore & IntervalIndex, sources: BusySources, lo: number, hi: number, budget: ExpansionBudget,
): Promise<BusyPeriod[]> {
  const periods: BusyPeriod[] = [];
  for (const calendar of sources.calendars) periods.push(...(await calendarBusy(store, calendar, lo, hi, budget, sources.owner)));
  if (sources.availability) periods.push(...availabilityBusy(sources.availability, lo, hi, budget));
  return mergeBusy(periods, lo, hi);
}
