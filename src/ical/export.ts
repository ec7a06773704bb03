import ICAL from 'ical.js';
import { parseStored } from './calendar-object.js';

/**
 * A whole calendar as one iCalendar document (GET on a calendar collection): every
 * object's components, each VTIMEZONE once.
 */
export function exportCalendar(name: string | null, objects: Iterable<string>): string {
  const out = new ICAL.Component('vcalendar');
  out.addPropertyWithValue('version', '2.0');
  out.addPropertyWithValue('prodid', '-//Davenport//Davenport//EN');
  if (name) out.addPropertyWithValue('x-wr-calname', name);
  const timezones = new Set<string>();
  for (const text of objects) {
    for (const sub of parseStored(text).getAllSubcomponents()) {
      if (sub.name === 'vtimezone') {
        const tzid = String(sub.getFirstPropertyValue('tzid'));
        if (timezones.has(tzid)) continue;
        timezones.add(tzid);
      }
      out.addSubcomponent(new ICAL.Component(ICAL.helpers.clone(sub.jCal, true) as unknown[]));
    }
  }
  return out.toString().replace(/\r?\n/g, '\r\n') + '\r\n';
}
