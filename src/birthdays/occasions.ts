// The yearly occasions a contact card records: its birthday (BDAY) and wedding
// anniversary (ANNIVERSARY in vCard 4, X-ANNIVERSARY as Evolution and KAddressBook write
// it in vCard 3), read with ical.js in every form real cards use:
//   vCard 4   BDAY:19850415   BDAY:--0415 (no year)   BDAY:19850415T101500Z
//   vCard 3   BDAY:1985-04-15   BDAY:1985-04-15T10:00:00Z
//   Apple     BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15 (no year: 1604 stands in)
// A text value (BDAY;VALUE=text:circa 1800), a date without month or day, or one
// ical.js cannot read gives no occasion.

import ICAL from 'ical.js';
import { decodeText } from '../text/decode.js';
import { parseCard } from '../vcard/card.js';

export type OccasionKind = 'birthday' | 'anniversary';
export const OCCASION_KINDS: readonly OccasionKind[] = ['birthday', 'anniversary'];

/** A day of the year, and the year it began in when the card says. */
export interface YearlyDate {
  year: number | null;
  month: number;
  day: number;
}

export interface Occasion {
  kind: OccasionKind;
  date: YearlyDate;
}

export interface CardOccasions {
  /** Who the occasions are of, as the card names them. */
  name: string;
  occasions: Occasion[];
}

const PROPERTIES: Record<OccasionKind, readonly string[]> = {
  birthday: ['bday'],
  anniversary: ['anniversary', 'x-anniversary'],
};

/** The card's occasions; none when the card cannot be read (a stored card that ical.js now refuses must not block its writes). */
export function occasionsOf(data: Buffer): CardOccasions {
  let card: ICAL.Component;
  try {
    card = parseCard(decodeText(data));
  } catch {
    return { name: '', occasions: [] };
  }
  const occasions: Occasion[] = [];
  for (const kind of OCCASION_KINDS) {
    const date = PROPERTIES[kind].map((name) => dateOf(card.getFirstProperty(name))).find((d) => d !== null);
    if (date) occasions.push({ kind, date });
  }
  return { name: occasions.length > 0 ? nameOf(card) : '', occasions };
}

function dateOf(prop: ICAL.Property | null): YearlyDate | null {
  if (!prop || prop.type === 'text') return null;
  let value: unknown;
  try {
    value = prop.getFirstValue();
    // An X- property has no known type: its text is read as a vCard date.
    if (typeof value === 'string') value = ICAL.VCardTime.fromDateAndOrTimeString(value.trim(), 'date-and-or-time');
  } catch {
    return null;
  }
  if (!(value instanceof ICAL.Time)) return null;
  const { year, month, day } = value as { year: number | null; month: number | null; day: number | null };
  if (!month || !day || month > 12 || day > 31) return null;
  // Apple marks a date without a year by a stand-in year named in the parameter.
  const omitted = prop.getParameter('x-apple-omit-year');
  const noYear = !year || (omitted !== undefined && omitted !== null && String(omitted) === String(year));
  return { year: noYear ? null : year, month, day };
}

/** FN (required by validateCard); N or ORG if FN is blank. */
function nameOf(card: ICAL.Component): string {
  const text = (name: string) => {
    try {
      const value = card.getFirstPropertyValue(name);
      return (Array.isArray(value) ? value.flat().filter((p) => typeof p === 'string' && p.trim() !== '').join(' ') : String(value ?? '')).trim();
    } catch {
      return '';
    }
  };
  return text('fn') || text('n') || text('org');
}
