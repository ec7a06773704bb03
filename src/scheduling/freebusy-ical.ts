// The VFREEBUSY that answers a free-busy question: the free-busy-query REPORT's body
// (RFC 4791 §7.10) and, with METHOD:REPLY, each recipient's calendar-data in a
// schedule-response (RFC 6638 §3.2.4 / RFC 5546 §3.3.2).

import ICAL from 'ical.js';
import type { BusyPeriod } from './freebusy-periods.js';

const PRODID = '-//Davenport//Free-busy//EN';

function utc(ms: number): ICAL.Time {
  return ICAL.Time.fromJSDate(new Date(ms), true);
}

export interface FreeBusyAnswer {
  start: number;
  end: number;
  periods: readonly BusyPeriod[];
  /** For an iTIP REPLY: the request's UID, ORGANIZER and the ATTENDEE it is about, echoed as sent. */
  reply?: { uid: string | null; organizer: ICAL.Property; attendee: ICAL.Property };
}

/** The VCALENDAR text, CRLF line endings, one FREEBUSY line per period (UTC start/end). */
export function renderFreeBusy(answer: FreeBusyAnswer): string {
  const vcalendar = new ICAL.Component('vcalendar');
  vcalendar.addPropertyWithValue('version', '2.0');
  vcalendar.addPropertyWithValue('prodid', PRODID);
  if (answer.reply) vcalendar.addPropertyWithValue('method', 'REPLY');
  const fb = new ICAL.Component('vfreebusy');
  if (answer.reply?.uid) fb.addPropertyWithValue('uid', answer.reply.uid);
  fb.addPropertyWithValue('dtstamp', utc(Date.now()));
  fb.addPropertyWithValue('dtstart', utc(answer.start));
  fb.addPropertyWithValue('dtend', utc(answer.end));
  if (answer.reply) {
    fb.addProperty(new ICAL.Property(answer.reply.organizer.toJSON()));
    fb.addProperty(new ICAL.Property(answer.reply.attendee.toJSON()));
  }
  for (const p of answer.periods) {
    const prop = new ICAL.Property('freebusy');
    prop.setParameter('fbtype', p.type);
    prop.setValue(ICAL.Period.fromData({ start: utc(p.start), end: utc(p.end) }));
    fb.addProperty(prop);
  }
  vcalendar.addSubcomponent(fb);
  return `${vcalendar.toString().replace(/\r?\n/g, '\r\n')}\r\n`;
}
