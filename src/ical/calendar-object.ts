// A calendar object resource (RFC 4791 §4.1): validation for PUT, the facts the
// store keeps about it (UID, component type), and parsing of stored data for queries.

import ICAL from 'ical.js';
import { repairText, widenUnexpandableRules } from './lenient.js';
import type { CalendarObjectInfo } from './types.js';
import { safeValue } from './reader.js';
import { MAX_GENERATED } from './recurrence.js';
import { findInvalidValue } from './validate-values.js';
import { isEmptyPlaceholder, vtimezoneProblem } from './vtimezone-validity.js';
import { MAX_NESTING, nestsTooDeep } from '../text/nesting.js';

export type CalendarPrecondition = 'valid-calendar-data' | 'valid-calendar-object-resource' | 'supported-calendar-component' | 'max-instances';

export class CalendarDataError extends Error {
  constructor(readonly precondition: CalendarPrecondition, message: string) {
    super(message);
    this.name = 'CalendarDataError';
  }
}

export interface ParsedCalendarObject {
  vcalendar: ICAL.Component;
  info: CalendarObjectInfo;
}

export const CALENDAR_COMPONENTS: readonly string[] = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY'];

/**
 * ical.js's reading of `text`; where ical.js refuses data real clients write, the
 * reading of a repaired copy (see lenient.ts). The text itself is never changed.
 */
export function parseVcalendar(text: string): ICAL.Component {
  let jcal: unknown[];
  const clean = text.replace(/^\uFEFF/, '');
  try {
    jcal = ICAL.parse(clean) as unknown[];
  } catch (e) {
    const repaired = repairText(clean);
    let retry: unknown[] | null = null;
    if (repaired !== null) {
      try {
        retry = ICAL.parse(repaired) as unknown[];
      } catch {
        retry = null;
      }
    }
    if (!retry) throw new CalendarDataError('valid-calendar-data', `not valid iCalendar: ${(e as Error).message}`);
    jcal = retry;
  }
  if (jcal.length === 0) throw new CalendarDataError('valid-calendar-data', 'no iCalendar object found');
  if (Array.isArray(jcal[0])) throw new CalendarDataError('valid-calendar-data', 'more than one top-level component');
  if (nestsTooDeep(jcal)) {
    throw new CalendarDataError('valid-calendar-data', `components nested deeper than ${MAX_NESTING} levels`);
  }
  retypeBareDates(jcal);
  widenUnexpandableRules(jcal);
  const root = new ICAL.Component(jcal);
  if (root.name !== 'vcalendar') {
    throw new CalendarDataError('valid-calendar-data', `top-level component is ${root.name.toUpperCase()}, not VCALENDAR`);
  }
  return root;
}

const BARE_DATE = /^(\d{4}-\d{2}-\d{2})T::$/;

/**
 * Thunderbird and others write "DTSTART;TZID=US/Eastern:20060102" (a DATE without
 * VALUE=DATE). ical.js keeps the property's DATE-TIME type and yields the unusable
 * "2006-01-02T::"; retyping it as the DATE it is keeps such data readable.
 */
function retypeBareDates(jcal: unknown[]): void {
  const [, props, comps] = jcal as [string, unknown[][], unknown[][]];
  for (const p of props) {
    if (p[2] === 'date-time' && p.length > 3 && p.slice(3).every((v) => typeof v === 'string' && BARE_DATE.test(v))) {
      p[2] = 'date';
      for (let i = 3; i < p.length; i++) p[i] = (p[i] as string).slice(0, 10);
    }
  }
  for (const c of comps) retypeBareDates(c);
}

/**
 * A rule whose instances far from DTSTART can only be found by generating every one
 * before them: with COUNT or BYSETPOS, which count from DTSTART (recurrence.ts skips
 * ahead only without them). Refused beyond MAX_GENERATED rather than answered wrongly.
 */
function beyondExpansion(rule: unknown): rule is ICAL.Recur {
  if (!(rule instanceof ICAL.Recur)) return false;
  if (rule.count && rule.count > MAX_GENERATED) return true;
  return !rule.count && !!rule.parts.BYSETPOS && ['SECONDLY', 'MINUTELY', 'HOURLY'].includes(rule.freq);
}

/** Components that make up the resource: everything but VTIMEZONE and X- extensions. */
function mainComponents(vcalendar: ICAL.Component): ICAL.Component[] {
  return vcalendar.getAllSubcomponents().filter((c) => c.name !== 'vtimezone' && !c.name.startsWith('x-'));
}

/** The first unusable VTIMEZONE's problem; Zimbra's empty placeholder is tolerated. */
function timezonesProblem(vcalendar: ICAL.Component): string | undefined {
  return vcalendar.getAllSubcomponents('vtimezone').filter((z) => !isEmptyPlaceholder(z)).map(vtimezoneProblem).find((p) => p !== undefined);
}

export function parseCalendarObject(text: string, allowedComponents: readonly string[] | null): ParsedCalendarObject {
  const vcalendar = parseVcalendar(text);
  const problem = findInvalidValue(vcalendar.jCal) ?? timezonesProblem(vcalendar);
  if (problem) throw new CalendarDataError('valid-calendar-data', problem);

  const comps = mainComponents(vcalendar);
  if (comps.length === 0) {
    // Nothing here carries a UID: an export of time zones, not a calendar object.
    throw new CalendarDataError('valid-calendar-data', 'has no UID: contains no VEVENT, VTODO, VJOURNAL or VFREEBUSY');
  }
  const noUid = comps.find((c) => !String(c.getFirstPropertyValue('uid') ?? '').trim());
  if (noUid) throw new CalendarDataError('valid-calendar-data', `${noUid.name.toUpperCase()} has no UID (UID is required)`);
  if (vcalendar.hasProperty('method')) {
    throw new CalendarDataError('valid-calendar-object-resource', 'METHOD is not allowed in a calendar object resource');
  }
  const types = [...new Set(comps.map((c) => c.name.toUpperCase()))];
  if (types.length > 1) {
    throw new CalendarDataError('valid-calendar-object-resource', `mixes component types ${types.join(', ')}; one type per resource`);
  }
  const uids = [...new Set(comps.map((c) => String(c.getFirstPropertyValue('uid'))))];
  if (uids.length > 1) {
    throw new CalendarDataError('valid-calendar-object-resource', `contains several UIDs (${uids.join(', ')}); one UID per resource`);
  }
  const type = types[0]!;
  if (comps.filter((c) => !c.hasProperty('recurrence-id')).length > 1) {
    throw new CalendarDataError('valid-calendar-object-resource', `more than one ${type} without RECURRENCE-ID for UID ${uids[0]}`);
  }
  const overridden = new Set<string>();
  for (const c of comps) {
    const prop = c.getFirstProperty('recurrence-id');
    if (!prop) continue;
    const key = `${String(prop.getFirstParameter('tzid') ?? '')}|${String(safeValue(prop))}`;
    if (overridden.has(key)) {
      throw new CalendarDataError('valid-calendar-object-resource', `two overrides of the same instance (RECURRENCE-ID ${String(safeValue(prop))})`);
    }
    overridden.add(key);
  }
  const unexpandable = comps.flatMap((c) => c.getAllProperties('rrule')).map((p) => safeValue(p)).find(beyondExpansion);
  if (unexpandable) {
    throw new CalendarDataError('max-instances', `the rule ${unexpandable.toString()} makes more instances than the server can place in time (${MAX_GENERATED})`);
  }
  const allowed = allowedComponents ?? CALENDAR_COMPONENTS;
  if (!allowed.includes(type)) {
    throw new CalendarDataError('supported-calendar-component', `${type} is not supported here (allowed: ${allowed.join(', ')})`);
  }
  return { vcalendar, info: { uid: uids[0]!, componentType: type } };
}

// Stored objects are parsed once and kept: a calendar-query confirms the same
// candidates again and again, and parsing dominates the cost of confirming one.
// Entries are shared, so callers must treat the component as read-only.
const STORED_CACHE_SIZE = 128;
const stored = new Map<string, ICAL.Component>();

export function parseStored(text: string): ICAL.Component {
  const hit = stored.get(text);
  if (hit) {
    stored.delete(text); // re-insert: Map order makes this an LRU
    stored.set(text, hit);
    return hit;
  }
  const vcalendar = parseVcalendar(text);
  if (stored.size >= STORED_CACHE_SIZE) stored.delete(stored.keys().next().value!);
  stored.set(text, vcalendar);
  return vcalendar;
}
