// A VTIMEZONE's offsets as src/ical/timezones.ts reads them (its own numeric replay
// of ical.js's Timezone#utcOffset) must equal ical.js's own answer: checked at every
// quarter hour within 3 hours of each transition and weekly across the years, for hand-written
// zones of every kind and for each VTIMEZONE in ../shared/fixtures when present.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ICAL from 'ical.js';
import { parseVcalendar } from '../src/ical/calendar-object.js';
import { resolveTzid, wallMs } from '../src/ical/timezones.js';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures');
const QUARTER = 15 * 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const vtz = (tzid: string, ...observances: string[][]) =>
  ['BEGIN:VTIMEZONE', `TZID:${tzid}`, ...observances.flat(), 'END:VTIMEZONE'].join('\r\n');
const obs = (kind: 'STANDARD' | 'DAYLIGHT', from: string, to: string, dtstart: string, ...more: string[]) =>
  [`BEGIN:${kind}`, `TZOFFSETFROM:${from}`, `TZOFFSETTO:${to}`, `DTSTART:${dtstart}`, ...more, `END:${kind}`];

const ZONES = [
  vtz('Europe/Berlin',
    obs('DAYLIGHT', '+0100', '+0200', '19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU'),
    obs('STANDARD', '+0200', '+0100', '19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU')),
  vtz('Australia/Sydney',
    obs('STANDARD', '+1100', '+1000', '20080406T030000', 'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU'),
    obs('DAYLIGHT', '+1000', '+1100', '20081005T020000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU')),
  vtz('Australia/Lord_Howe',
    obs('STANDARD', '+1100', '+1030', '20080406T020000', 'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU'),
    obs('DAYLIGHT', '+1030', '+1100', '20081005T020000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU')),
  vtz('America/New_York',
    obs('DAYLIGHT', '-0500', '-0400', '19870405T020000', 'RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z'),
    obs('STANDARD', '-0400', '-0500', '19671029T020000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z'),
    obs('DAYLIGHT', '-0500', '-0400', '20070311T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU'),
    obs('STANDARD', '-0400', '-0500', '20071104T020000', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU')),
  vtz('Custom RDATE zone',
    obs('DAYLIGHT', '+0100', '+0200', '20240331T020000', 'RDATE:20250330T020000,20260329T020000'),
    obs('STANDARD', '+0200', '+0100', '20231029T030000', 'RDATE:20241027T030000,20251026T030000')),
  vtz('Asia/Tokyo', obs('STANDARD', '+0900', '+0900', '19700101T000000')),
];

const calendarWith = (vtimezone: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n${vtimezone}\r\nEND:VCALENDAR\r\n`;

/**
 * Compares both readings of the `index`th VTIMEZONE of `text`; returns how many wall
 * times were checked. Each side parses its own copy: ical.js's expansion changes the
 * component it expands, so a second expansion of the same one differs.
 */
function compare(text: string, index: number): number {
  const comp = parseVcalendar(text).getAllSubcomponents('vtimezone')[index]!;
  const tzid = String(comp.getFirstPropertyValue('tzid'));
  const zone = resolveTzid(parseVcalendar(text), tzid);
  assert.ok(zone, `${tzid} resolves`);
  const reference = new ICAL.Timezone({ component: comp, tzid });
  const at = (ms: number) => {
    const t = new Date(ms);
    return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), 0] as const;
  };
  const times = new Set<number>();
  for (let ms = Date.UTC(1960, 0, 1); ms < Date.UTC(2045, 0, 1); ms += 7 * DAY + 7 * QUARTER) times.add(ms);
  reference.utcOffset(ICAL.Time.fromData({ year: 2045, month: 1, day: 1 }));
  for (const c of reference.changes as { year: number; month: number; day: number; hour: number; minute: number }[]) {
    const around = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute);
    for (let ms = around - 3 * HOUR; ms <= around + 3 * HOUR; ms += QUARTER) times.add(ms);
  }
  for (const ms of [...times].sort((a, b) => a - b)) {
    const [y, mo, d, h, mi, s] = at(ms);
    let expected: number;
    try {
      expected = wallMs(y, mo, d, h, mi, s) - reference.utcOffset(ICAL.Time.fromData({ year: y, month: mo, day: d, hour: h, minute: mi, second: s })) * 1000;
    } catch {
      expected = wallMs(y, mo, d, h, mi, s); // ical.js cannot read it: both take UTC
    }
    assert.equal(zone.toEpoch(y, mo, d, h, mi, s), expected, `${tzid} at ${new Date(ms).toISOString().slice(0, 16)} (wall clock)`);
  }
  return times.size;
}

test('VTIMEZONE offsets equal ical.js at every transition: rules, UNTIL, RDATE, half hours, southern and fixed zones', () => {
  for (const zone of ZONES) assert.ok(compare(calendarWith(zone), 0) > 4_000);
});

test('VTIMEZONE offsets equal ical.js for every VTIMEZONE in the fixture corpus', (t) => {
  if (!existsSync(FIXTURES)) {
    t.skip(`../shared/fixtures not found: ${FIXTURES} (the corpus is read in place, never copied in)`);
    return;
  }
  const seen = new Set<string>();
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ics') ? [path.join(dir, e.name)] : []);
  for (const file of walk(FIXTURES)) {
    const text = readFileSync(file, 'utf8');
    let vcalendar: ICAL.Component;
    try {
      vcalendar = parseVcalendar(text);
    } catch {
      continue; // the invalid/ corpus: judged by caldav-fixtures.test.ts
    }
    const zones = vcalendar.getAllSubcomponents('vtimezone');
    const tzids = zones.map((c) => c.getFirstPropertyValue('tzid'));
    zones.forEach((comp, i) => {
      const key = comp.toString();
      // An object resolves a TZID to its first VTIMEZONE of that name: exports holding
      // several same-named definitions are left out.
      if (seen.has(key) || !tzids[i] || tzids.indexOf(tzids[i]) !== tzids.lastIndexOf(tzids[i])) return;
      seen.add(key);
      compare(text, i);
    });
  }
  assert.ok(seen.size > 10, `${seen.size} distinct VTIMEZONEs checked`);
});
