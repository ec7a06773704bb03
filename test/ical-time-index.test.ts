// The time index's event-form intervals (src/ical/time-index.ts) against the §9.9
// definition the filter uses (src/ical/time-range.ts overlaps), and the spans and
// completeness bound of whole objects.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCalendarObject } from '../src/ical/calendar-object.js';
import { eventFormMatches, eventInterval, HORIZON_MS, MAX_SPANS, objectTimeIndex, UNBOUNDED } from '../src/ical/time-index.js';
import { overlaps, type Shape } from '../src/ical/time-range.js';

const DAY = 86_400_000;

function shape(type: string, o: Partial<Shape>): Shape {
  return {
    type, start: null, startIsDate: false, end: null, due: null, duration: null, completed: null, created: null,
    freebusy: [], floating: false, anchor: null, ...o,
  };
}

test('event-form intervals decide exactly what §9.9 overlaps decides, for every component rule', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const maybe = (v: number) => (rnd(3) === 0 ? null : v);
  const t = () => rnd(12) * 10;
  let checked = 0;
  for (let i = 0; i < 20_000; i++) {
    const type = ['VEVENT', 'VTODO', 'VJOURNAL'][rnd(3)]!;
    const start = maybe(t());
    const sh = shape(type, {
      start,
      startIsDate: rnd(4) === 0,
      end: type === 'VEVENT' ? maybe(t()) : null,
      due: type === 'VTODO' ? maybe(t()) : null,
      duration: maybe((rnd(5) - 1) * 10),
      completed: type === 'VTODO' ? maybe(t()) : null,
      created: type === 'VTODO' ? maybe(t()) : null,
    });
    const delta = rnd(2) * 5;
    const periodEnd = type === 'VEVENT' && rnd(5) === 0 ? t() : null;
    const iv = eventInterval(sh, delta, periodEnd);
    for (let j = 0; j < 10; j++) {
      let a = rnd(14) * 10 - 10 + (rnd(2) ? 5 : 0);
      let b = a + rnd(6) * 5 + 1;
      if (rnd(10) === 0) a = -Infinity;
      if (rnd(10) === 0) b = Infinity;
      const want = overlaps(sh, delta, periodEnd, a, b);
      const got = iv !== null && eventFormMatches(iv.start, iv.end, Math.max(a, -UNBOUNDED), Math.min(b, UNBOUNDED));
      assert.equal(got, want, `${JSON.stringify(sh)} delta=${delta} periodEnd=${periodEnd} [${a}, ${b}) → ${JSON.stringify(iv)}`);
      assert.ok(iv === null || iv.exact);
      checked++;
    }
  }
  assert.ok(checked > 100_000);
});

const ics = (body: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n${body.trim().split('\n').map((l) => l.trim()).join('\r\n')}\r\nEND:VCALENDAR\r\n`;

test('a finite series gives one span per instance, EXDATE and moved overrides applied', () => {
  const { vcalendar } = parseCalendarObject(ics(`
    BEGIN:VEVENT
    UID:w1
    DTSTAMP:20240101T000000Z
    DTSTART:20240101T090000Z
    DTEND:20240101T100000Z
    RRULE:FREQ=WEEKLY;COUNT=5
    EXDATE:20240108T090000Z
    END:VEVENT
    BEGIN:VEVENT
    UID:w1
    DTSTAMP:20240101T000000Z
    RECURRENCE-ID:20240115T090000Z
    DTSTART:20240116T140000Z
    DTEND:20240116T150000Z
    END:VEVENT`), null);
  const idx = objectTimeIndex(vcalendar, 'VEVENT');
  assert.equal(idx.completeUntil, null);
  const starts = idx.spans.map((s) => new Date(s.start).toISOString()).sort();
  assert.deepEqual(starts, ['2024-01-01T09:00:00.000Z', '2024-01-16T14:00:00.000Z', '2024-01-22T09:00:00.000Z', '2024-01-29T09:00:00.000Z']);
  assert.ok(idx.spans.every((s) => s.exact && s.end - s.start === 3_600_000));
});

test('an open-ended series is indexed to the horizon and says so', () => {
  const now = Date.parse('2024-06-01T00:00:00Z');
  const { vcalendar } = parseCalendarObject(ics(`
    BEGIN:VEVENT
    UID:w2
    DTSTAMP:20240101T000000Z
    DTSTART:20240101T090000Z
    DURATION:PT1H
    RRULE:FREQ=WEEKLY
    END:VEVENT`), null);
  const idx = objectTimeIndex(vcalendar, 'VEVENT', null, now);
  assert.equal(idx.completeUntil, now + HORIZON_MS);
  assert.ok(idx.spans.length > 250 && idx.spans.length < 300);
  assert.ok(idx.spans.every((s) => s.start <= now + HORIZON_MS));
});

test('a daily series longer than the cap is cut with a bound; floating spans are marked and placed in the calendar zone', () => {
  const { vcalendar } = parseCalendarObject(ics(`
    BEGIN:VEVENT
    UID:d1
    DTSTAMP:20240101T000000Z
    DTSTART:20240101T090000
    DTEND:20240101T100000
    RRULE:FREQ=DAILY;UNTIL=20400101T000000
    END:VEVENT`), null);
  const idx = objectTimeIndex(vcalendar, 'VEVENT');
  assert.equal(idx.spans.length, MAX_SPANS);
  const last = Math.max(...idx.spans.map((s) => s.start));
  assert.ok(idx.completeUntil !== null && idx.completeUntil > last && idx.completeUntil <= last + DAY);
  const first = idx.spans.find((s) => s.start === Math.min(...idx.spans.map((x) => x.start)))!;
  assert.deepEqual(first, { start: Date.parse('2024-01-01T09:00:00Z'), end: Date.parse('2024-01-01T10:00:00Z'), exact: true, floating: true });
  assert.equal(idx.floatingZone, null);
  const tz = 'BEGIN:VTIMEZONE\r\nTZID:Plus2\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0200\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n';
  const placed = objectTimeIndex(vcalendar, 'VEVENT', tz);
  assert.equal(Math.min(...placed.spans.map((x) => x.start)), Date.parse('2024-01-01T07:00:00Z'));
  assert.ok(placed.floatingZone !== null && placed.floatingZone !== idx.floatingZone);
});

test('VTODO with only CREATED is open to the future; with COMPLETED only it is a closed point', () => {
  const created = objectTimeIndex(parseCalendarObject(ics(`
    BEGIN:VTODO
    UID:t1
    DTSTAMP:20240101T000000Z
    CREATED:20240301T000000Z
    END:VTODO`), null).vcalendar, 'VTODO');
  assert.deepEqual(created.spans, [{ start: Date.parse('2024-03-01T00:00:00Z'), end: UNBOUNDED, exact: true, floating: false }]);
  const completed = objectTimeIndex(parseCalendarObject(ics(`
    BEGIN:VTODO
    UID:t2
    DTSTAMP:20240101T000000Z
    COMPLETED:20240301T000000Z
    END:VTODO`), null).vcalendar, 'VTODO');
  const co = Date.parse('2024-03-01T00:00:00Z');
  assert.deepEqual(completed.spans, [{ start: co - 1, end: co + 1, exact: true, floating: false }]);
  assert.ok(eventFormMatches(co - 1, co + 1, co, co + 10) && eventFormMatches(co - 1, co + 1, co - 10, co));
  assert.ok(!eventFormMatches(co - 1, co + 1, co + 1, co + 10));
});
