import type ICAL from 'ical.js';

// RFC 5545 §3.6.5: what a VTIMEZONE must hold for its times to be read at all. Values
// themselves (a TZOFFSETTO that is no UTC offset) are checked with every other value
// (validate-values.ts).

const OBSERVANCES = ['standard', 'daylight'];
const REQUIRED_IN_OBSERVANCE = ['dtstart', 'tzoffsetfrom', 'tzoffsetto'];

const tzidOf = (vtz: ICAL.Component) => String(vtz.getFirstPropertyValue('tzid') ?? '').trim();
const observancesOf = (vtz: ICAL.Component) => vtz.getAllSubcomponents().filter((c) => OBSERVANCES.includes(c.name));

/** What is wrong with a VTIMEZONE, or undefined when it is usable. */
export function vtimezoneProblem(vtz: ICAL.Component): string | undefined {
  const tzid = tzidOf(vtz);
  if (!tzid) return 'a VTIMEZONE has no TZID';
  const observances = observancesOf(vtz);
  if (observances.length === 0) return `VTIMEZONE ${tzid} has neither STANDARD nor DAYLIGHT`;
  for (const o of observances) {
    const missing = REQUIRED_IN_OBSERVANCE.find((name) => !o.hasProperty(name));
    if (missing) return `VTIMEZONE ${tzid} ${o.name.toUpperCase()} has no ${missing.toUpperCase()}`;
  }
  return undefined;
}

/**
 * A VTIMEZONE with neither TZID nor observances, as Zimbra writes one (holding only
 * X-INVALID-TIMEZONE:TRUE): nothing can refer to it or read a time through it.
 */
export function isEmptyPlaceholder(vtz: ICAL.Component): boolean {
  return !tzidOf(vtz) && observancesOf(vtz).length === 0;
}
