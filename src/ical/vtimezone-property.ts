import ICAL from 'ical.js';
import { findInvalidValue } from './validate-values.js';
import { vtimezoneProblem } from './vtimezone-validity.js';

/**
 * RFC 4791 §5.2.2: calendar-timezone holds a VCALENDAR with exactly one VTIMEZONE.
 * Returns what is wrong with it, or undefined when it is usable.
 */
export function validateTimezoneProperty(text: string): string | undefined {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (e) {
    return `not valid iCalendar: ${(e as Error).message}`;
  }
  if (root.name !== 'vcalendar') return 'must be a VCALENDAR';
  const zones = root.getAllSubcomponents('vtimezone');
  if (zones.length !== 1) return `must hold exactly one VTIMEZONE, found ${zones.length}`;
  return vtimezoneProblem(zones[0]!) ?? findInvalidValue(zones[0]!.jCal) ?? undefined;
}
