import ICAL from 'ical.js';
import { parseVcalendar } from './calendar-object.js';

/**
 * A whole calendar as one iCalendar document (GET on a calendar collection), produced
 * object by object so a large calendar is never held in memory at once: every
 * object's components, each VTIMEZONE once. `forPublic` shapes it for a public link
 * (publicView).
 */
export async function* exportCalendar(name: string | null, objects: AsyncIterable<string>, forPublic = false): AsyncGenerator<string> {
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
    for (const found of parseVcalendar(text).getAllSubcomponents()) {
      const sub = forPublic ? publicView(found) : found;
      if (!sub) continue;
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

/** What stays of a CONFIDENTIAL component: when it is, never what it is. */
const TIME_ONLY = new Set(['uid', 'dtstamp', 'dtstart', 'dtend', 'duration', 'due', 'rrule', 'rdate', 'exdate', 'recurrence-id', 'sequence', 'status', 'transp', 'class']);

/**
 * A component as anyone holding a public link sees it, following RFC 5545 §3.8.1.3 CLASS
 * as Google's and Nextcloud's public calendars do: PRIVATE (and, as the RFC says, any
 * class not understood) is left out, CONFIDENTIAL shows only as busy time, and the
 * owner's own reminders (VALARM) never travel.
 */
function publicView(comp: ICAL.Component): ICAL.Component | undefined {
  if (comp.name === 'vtimezone') return comp;
  const access = String(comp.getFirstPropertyValue('class') ?? 'PUBLIC').toUpperCase();
  if (access !== 'PUBLIC' && access !== 'CONFIDENTIAL') return undefined;
  const [name, props, subs] = comp.jCal as [string, [string, ...unknown[]][], unknown[][]];
  const kept = access === 'PUBLIC' ? props : [...props.filter((p) => TIME_ONLY.has(p[0])), ['summary', {}, 'text', 'Busy']];
  return new ICAL.Component(structuredClone([name, kept, subs.filter((s) => s[0] !== 'valarm')]));
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
