import ICAL from 'ical.js';
import { parseVcalendar } from './calendar-object.js';

/**
 * A whole calendar as one iCalendar document (GET on a calendar collection), produced
 * object by object so a large calendar is never held in memory at once: every
 * object's components, each VTIMEZONE once.
 */
export async function* exportCalendar(name: string | null, objects: AsyncIterable<string>): AsyncGenerator<string> {
  const head = new ICAL.Component('vcalendar');
  head.addPropertyWithValue('version', '2.0');
  head.addPropertyWithValue('prodid', '-//Davenport//Davenport//EN');
  if (name) head.addPropertyWithValue('x-wr-calname', name);
  const lines = crlf(head.toString()).split('\r\n');
  lines.pop(); // END:VCALENDAR comes after the objects
  yield `${lines.join('\r\n')}\r\n`;
  const timezones = new Set<string>();
  for await (const text of objects) {
    let out = '';
    for (const sub of parseVcalendar(text).getAllSubcomponents()) {
      if (sub.name === 'vtimezone') {
        const tzid = String(sub.getFirstPropertyValue('tzid'));
        if (timezones.has(tzid)) continue;
        timezones.add(tzid);
      }
      out += `${crlf(sub.toString())}\r\n`;
    }
    yield out;
  }
  yield 'END:VCALENDAR\r\n';
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
