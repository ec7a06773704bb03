// RFC 4791 §7.8 valid-filter, the part the DTD cannot say: a filter must describe
// something iCalendar can hold. The RFC's own examples: no VEVENT inside a VTODO, no
// time-range on SUMMARY.

import ICAL from 'ical.js';
import type { CompFilter, PropFilter } from './types.js';

/** Where each standard component may appear (RFC 5545 §3.6, RFC 7953 §3); others may appear anywhere. */
const PARENTS: Record<string, readonly string[]> = {
  VCALENDAR: [],
  VEVENT: ['VCALENDAR'],
  VTODO: ['VCALENDAR'],
  VJOURNAL: ['VCALENDAR'],
  VFREEBUSY: ['VCALENDAR'],
  VTIMEZONE: ['VCALENDAR'],
  VAVAILABILITY: ['VCALENDAR'],
  VALARM: ['VEVENT', 'VTODO'],
  STANDARD: ['VTIMEZONE'],
  DAYLIGHT: ['VTIMEZONE'],
  AVAILABLE: ['VAVAILABILITY'],
};

const TIME_TYPES = ['date', 'date-time', 'period'];

/** Whether a property can hold a time a time-range can test; unknown (X-, new IANA) ones may. */
function holdsTime(name: string): boolean {
  const design = (ICAL.design.icalendar.property as Record<string, { defaultType: string; allowedTypes?: string[] } | undefined>)[name.toLowerCase()];
  if (!design) return true;
  return [design.defaultType, ...(design.allowedTypes ?? [])].some((t) => TIME_TYPES.includes(t));
}

function propProblem(f: PropFilter, comp: string): string | undefined {
  if (f.timeRange && !holdsTime(f.name)) return `${comp} ${f.name} holds no date or time: a time-range cannot test it`;
  return undefined;
}

/** The problem of the prop- and comp-filters inside `f`. */
function contentProblem(f: CompFilter): string | undefined {
  for (const pf of f.propFilters) {
    const problem = propProblem(pf, f.name);
    if (problem) return problem;
  }
  for (const cf of f.compFilters) {
    const parents = PARENTS[cf.name];
    if (parents && !parents.includes(f.name)) return `${cf.name} cannot be inside ${f.name}`;
    const problem = contentProblem(cf);
    if (problem) return problem;
  }
  return undefined;
}

/** What makes a calendar-query filter (its VCALENDAR comp-filter) invalid, or undefined. */
export function filterProblem(vcalendar: CompFilter): string | undefined {
  if (vcalendar.timeRange) return 'a time-range cannot test VCALENDAR itself';
  return contentProblem(vcalendar);
}
