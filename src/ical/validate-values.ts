// Checks the time-bearing values ical.js accepted but mangled or left unusable
// (it parses "EXDATE;VALUE=DATE:" to "--" and "+5328" to a -00:32 offset), so that
// whatever we store can always be read back by queries. Other value types are left
// alone: real clients send empty PRIORITY and the like, and nothing reads them.

import ICAL from 'ical.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z?$/;
const UTC_OFFSET = /^[+-](\d{2}):(\d{2})(?::(\d{2}))?$/;
/** Longer than any real event, short enough that date arithmetic stays finite. */
const MAX_DURATION_S = 100 * 366 * 86400;
const RULE_PARTS = new Set([
  'freq', 'until', 'count', 'interval', 'bysecond', 'byminute', 'byhour', 'byday', 'bymonthday',
  'byyearday', 'byweekno', 'bymonth', 'bysetpos', 'wkst', 'rscale', 'skip',
]);

function validDate(s: string): boolean {
  const m = DATE.exec(s) ?? DATE_TIME.exec(s);
  if (!m) return false;
  const [mo, d] = [Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > ICAL.Time.daysInMonth(mo, Number(m[1]))) return false;
  return m[4] === undefined || (Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 60);
}

function validDuration(s: string): boolean {
  try {
    return Math.abs(ICAL.Duration.fromString(s).toSeconds()) <= MAX_DURATION_S;
  } catch {
    return false;
  }
}

function checkValue(type: string, v: unknown): string | null {
  switch (type) {
    case 'date':
    case 'date-time':
      return typeof v === 'string' && validDate(v) && (type === 'date') === DATE.test(v) ? null : `invalid ${type.toUpperCase()} value`;
    case 'period': {
      const [start, end] = Array.isArray(v) ? (v as unknown[]) : [];
      if (typeof start !== 'string' || !validDate(start)) return 'invalid PERIOD start';
      if (typeof end !== 'string' || !(validDate(end) || validDuration(end))) return 'invalid PERIOD end';
      return null;
    }
    case 'duration':
      return typeof v === 'string' && validDuration(v) ? null : `DURATION value ${String(v)} is malformed or out of range`;
    case 'utc-offset': {
      const m = typeof v === 'string' ? UTC_OFFSET.exec(v) : null;
      return m && Number(m[1]) <= 23 && Number(m[2]) <= 59 && Number(m[3] ?? 0) <= 59 ? null : `invalid UTC offset ${String(v).replace(':', '')}`;
    }
    case 'recur': {
      const rule = (v ?? {}) as Record<string, unknown>;
      if (typeof rule.freq !== 'string') return 'recurrence rule has no FREQ';
      const unknown = Object.keys(rule).find((k) => !RULE_PARTS.has(k) && !k.startsWith('x-'));
      if (unknown) return `recurrence rule has unknown part ${unknown.toUpperCase()}`;
      if (rule.until !== undefined && (typeof rule.until !== 'string' || !validDate(rule.until))) return 'invalid UNTIL';
      return null;
    }
    default:
      return null;
  }
}

/** First problem found, as "VEVENT DTSTART: invalid DATE-TIME value", or null. */
export function findInvalidValue(jcal: unknown[]): string | null {
  const [name, props, comps] = jcal as [string, unknown[][], unknown[][]];
  for (const p of props) {
    const type = p[2] as string;
    for (let i = 3; i < p.length; i++) {
      const problem = checkValue(type, p[i]);
      if (problem) return `${name.toUpperCase()} ${String(p[0]).toUpperCase()}: ${problem}`;
    }
  }
  for (const c of comps) {
    const problem = findInvalidValue(c);
    if (problem) return problem;
  }
  return null;
}
