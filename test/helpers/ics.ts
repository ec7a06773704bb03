import type ICAL from 'ical.js';
import { objectTimeIndex, UNBOUNDED } from '../../src/ical/time-index.js';

/** A small VCALENDAR with one component, CRLF line endings; `lines` go inside the component. */
export function ics(uid: string, lines: string[], component = 'VEVENT', extra = ''): string {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Davenport tests//EN',
    `BEGIN:${component}`, `UID:${uid}`, 'DTSTAMP:20240101T000000Z', ...lines, `END:${component}`,
    ...(extra ? [extra] : []),
    'END:VCALENDAR', '',
  ].join('\r\n');
}

export function event(uid: string, start: string, end: string, more: string[] = []): string {
  return ics(uid, [`DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:Event ${uid}`, ...more]);
}

/**
 * The earliest instance start as Davenport's time index places it (floating times
 * widened by up to 14 h); null when nothing is placed or the start is unbounded.
 */
export function firstIndexedStart(vcalendar: ICAL.Component, componentType: string): number | null {
  const starts = objectTimeIndex(vcalendar, componentType).spans.map((s) => s.start);
  const first = Math.min(...starts);
  return Number.isFinite(first) && first > -UNBOUNDED ? first : null;
}

/** Europe/Berlin as clients send it (CET/CEST since 1970), for tests in local time. */
export const BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');
