// The calendar object for one occasion of one contact: a yearly, all-day, transparent
// event (a birthday is not busy time), built with ical.js.
//
// February 29: the event recurs on the last day of February (BYMONTH=2;BYMONTHDAY=-1),
// so it shows on February 28 in common years and on the 29th in leap years, as Apple's
// and Google's birthday calendars show it; a plain FREQ=YEARLY would skip three years of four.

import ICAL from 'ical.js';
import type { Occasion, YearlyDate } from './occasions.js';

const PRODID = '-//Davenport//Birthdays//EN';
/** The year of an occasion whose card gives none: a leap year, so February 29 is a date in it. */
const YEARLESS_BASE = 1972;

const SUMMARIES: Record<Occasion['kind'], (name: string) => string> = {
  birthday: (name) => (name ? `${name}'s birthday` : 'Birthday'),
  anniversary: (name) => (name ? `${name}'s anniversary` : 'Anniversary'),
};

/**
 * The years an event may start in. Before 1900 the year is dropped: the time index places
 * every yearly instance from the start on, and a series from 1500 would cost that at
 * every write of the card; after 9998 the day after (DTEND) is no iCalendar DATE.
 */
const FIRST_YEAR = 1900;
const LAST_YEAR = 9998;

/** The first day the event falls on; null when the month has no such day. */
function firstDay(date: YearlyDate): ICAL.Time | null {
  // A year in which the day does not exist (February 29, 1985) is a typo, and one out of
  // range often a stand-in for none (0001): the day is kept, the year dropped.
  const given = date.year !== null && date.year >= FIRST_YEAR && date.year <= LAST_YEAR ? date.year : null;
  const year = given !== null && date.day <= ICAL.Time.daysInMonth(date.month, given) ? given : YEARLESS_BASE;
  if (date.day > ICAL.Time.daysInMonth(date.month, year)) return null;
  return ICAL.Time.fromData({ year, month: date.month, day: date.day, isDate: true });
}

/**
 * The iCalendar text of the occasion's event, or null when the date is no day of its
 * month. `stamp` is its DTSTAMP: the same inputs give the same bytes, so regenerating
 * an unchanged occasion keeps its ETag.
 */
export function occasionEvent(occasion: Occasion, name: string, uid: string, stamp: ICAL.Time): string | null {
  const start = firstDay(occasion.date);
  if (!start) return null;
  const end = start.clone();
  end.adjust(1, 0, 0, 0);
  const leapDay = start.month === 2 && start.day === 29;
  const rrule = leapDay ? { freq: 'YEARLY', bymonth: [2], bymonthday: [-1] } : { freq: 'YEARLY' };

  const vevent = new ICAL.Component('vevent');
  vevent.addPropertyWithValue('uid', uid);
  vevent.addPropertyWithValue('dtstamp', stamp);
  vevent.addPropertyWithValue('dtstart', start);
  vevent.addPropertyWithValue('dtend', end);
  vevent.addPropertyWithValue('rrule', ICAL.Recur.fromData(rrule));
  vevent.addPropertyWithValue('summary', SUMMARIES[occasion.kind](name));
  vevent.addPropertyWithValue('transp', 'TRANSPARENT');
  vevent.addPropertyWithValue('categories', occasion.kind === 'birthday' ? 'Birthday' : 'Anniversary');
  const vcalendar = new ICAL.Component('vcalendar');
  vcalendar.addPropertyWithValue('version', '2.0');
  vcalendar.addPropertyWithValue('prodid', PRODID);
  vcalendar.addSubcomponent(vevent);
  return vcalendar.toString() + '\r\n';
}
