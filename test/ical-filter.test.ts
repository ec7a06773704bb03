// Filter (RFC 4791 §9.7, §9.9) and calendar-data (§9.6) semantics on small
// hand-written objects in test/fixtures/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderCalendarData } from '../src/ical/calendar-data.js';
import { CalendarDataError, parseCalendarObject } from '../src/ical/calendar-object.js';
import { matchesFilter } from '../src/ical/filter.js';
import { installPath } from '../src/install-dir.js';
import { objectTimeIndex } from '../src/ical/time-index.js';
import type { CompFilter, PropFilter, TimeRange } from '../src/ical/types.js';
import { textMatches, type TextMatch } from '../src/text/text-match.js';
import { firstIndexedStart } from './helpers/ics.js';

const load = (name: string) => parseCalendarObject(readFileSync(installPath('test', 'fixtures', name), 'utf8'), null);
const utc = (s: string) => Date.parse(s);
const tm = (value: string, extra: Partial<TextMatch> = {}): TextMatch => ({ value, collation: 'i;ascii-casemap', matchType: 'contains', negate: false, ...extra });
const comp = (name: string, o: Partial<CompFilter> = {}): CompFilter => ({ name, isNotDefined: false, propFilters: [], compFilters: [], ...o });
const prop = (name: string, o: Partial<PropFilter> = {}): PropFilter => ({ name, isNotDefined: false, paramFilters: [], ...o });
const cal = (...compFilters: CompFilter[]) => comp('VCALENDAR', { compFilters });
const range = (a: string, b: string): TimeRange => ({ start: utc(a), end: utc(b) });

test('text-match collations and negate', () => {
  assert.ok(textMatches('Weekly SYNC', tm('sync')));
  assert.ok(!textMatches('Weekly SYNC', tm('sync', { collation: 'i;octet' })));
  assert.ok(!textMatches('ÄRGER', tm('ärger')), 'ascii-casemap leaves non-ASCII alone');
  assert.ok(textMatches('ÄRGER', tm('ärger', { collation: 'i;unicode-casemap' })));
  assert.ok(textMatches('abc', tm('abc', { matchType: 'equals' })) && !textMatches('abcd', tm('abc', { matchType: 'equals' })));
  assert.ok(textMatches('abcd', tm('ab', { matchType: 'starts-with' })) && textMatches('abcd', tm('cd', { matchType: 'ends-with' })));
  assert.ok(textMatches('abc', tm('x', { negate: true })) && !textMatches('abc', tm('b', { negate: true })));
});

test('recurring VEVENT time-range honours EXDATE and moved overrides', () => {
  const { vcalendar } = load('weekly-override.ics');
  assert.equal(firstIndexedStart(vcalendar, 'VEVENT'), utc('2024-01-01T09:00:00Z'));
  const ev = (a: string, b: string) => matchesFilter(vcalendar, cal(comp('VEVENT', { timeRange: range(a, b) })));
  assert.ok(ev('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'));
  assert.ok(!ev('2024-01-08T00:00:00Z', '2024-01-09T00:00:00Z'), 'EXDATE');
  assert.ok(!ev('2024-01-15T00:00:00Z', '2024-01-16T00:00:00Z'), 'moved away');
  assert.ok(ev('2024-01-16T00:00:00Z', '2024-01-17T00:00:00Z'), 'moved here');
  assert.ok(!ev('2024-03-11T00:00:00Z', '2024-03-12T00:00:00Z'), 'after COUNT');
  // prop-filter evaluated on the instance in range: the override's SUMMARY
  const summaryIn = (v: string, a: string, b: string) =>
    matchesFilter(vcalendar, cal(comp('VEVENT', { timeRange: range(a, b), propFilters: [prop('SUMMARY', { textMatch: tm(v) })] })));
  assert.ok(summaryIn('moved', '2024-01-16T00:00:00Z', '2024-01-17T00:00:00Z'));
  assert.ok(!summaryIn('moved', '2024-01-22T00:00:00Z', '2024-01-23T00:00:00Z'));
});

test('is-not-defined, param-filter, VALARM time-range', () => {
  const { vcalendar } = load('weekly-override.ics');
  assert.ok(matchesFilter(vcalendar, cal(comp('VTODO', { isNotDefined: true }))));
  assert.ok(!matchesFilter(vcalendar, cal(comp('VEVENT', { isNotDefined: true }))));
  assert.ok(matchesFilter(vcalendar, cal(comp('VEVENT', { propFilters: [prop('LOCATION', { isNotDefined: true })] }))));
  const partstat = (v: string) => cal(comp('VEVENT', { propFilters: [prop('ATTENDEE', { paramFilters: [{ name: 'PARTSTAT', isNotDefined: false, textMatch: tm(v) }] })] }));
  assert.ok(matchesFilter(vcalendar, partstat('accepted')));
  assert.ok(!matchesFilter(vcalendar, partstat('declined')));
  const alarm = (a: string, b: string) => cal(comp('VEVENT', { compFilters: [comp('VALARM', { timeRange: range(a, b) })] }));
  // 2024-01-22 10:00 Berlin = 09:00Z; alarm 15 min earlier
  assert.ok(matchesFilter(vcalendar, alarm('2024-01-22T08:40:00Z', '2024-01-22T08:50:00Z')));
  assert.ok(!matchesFilter(vcalendar, alarm('2024-01-22T08:50:00Z', '2024-01-22T09:00:00Z')));
});

test('VTODO with DUE only (§9.9) and prop-filter time-range', () => {
  const { vcalendar } = load('todo-due.ics');
  // A VTODO with only DUE matches ranges that contain DUE: [DUE − 1 ms, DUE) in event form.
  assert.deepEqual(objectTimeIndex(vcalendar, 'VTODO').spans.map((s) => [s.start, s.end]), [[utc('2024-03-01T12:00:00Z') - 1, utc('2024-03-01T12:00:00Z')]]);
  const todo = (a: string, b: string) => matchesFilter(vcalendar, cal(comp('VTODO', { timeRange: range(a, b) })));
  assert.ok(todo('2024-03-01T00:00:00Z', '2024-03-01T12:00:00Z'), 'end >= DUE');
  assert.ok(!todo('2024-03-01T12:00:00Z', '2024-03-02T00:00:00Z'), 'start < DUE fails');
  const dueIn = (a: string, b: string) => matchesFilter(vcalendar, cal(comp('VTODO', { propFilters: [prop('DUE', { timeRange: range(a, b) })] })));
  assert.ok(dueIn('2024-03-01T12:00:00Z', '2024-03-01T13:00:00Z'));
  assert.ok(!dueIn('2024-03-01T11:00:00Z', '2024-03-01T12:00:00Z'));
});

test('calendar-data expand and selection', async () => {
  const { vcalendar } = load('weekly-override.ics');
  const out = await renderCalendarData(vcalendar, { expand: { start: utc('2024-01-14T00:00:00Z'), end: utc('2024-01-23T00:00:00Z') } });
  assert.equal(out.match(/BEGIN:VEVENT/g)?.length, 2);
  assert.match(out, /RECURRENCE-ID:20240115T090000Z/);
  assert.match(out, /DTSTART:20240116T130000Z/);
  assert.match(out, /RECURRENCE-ID:20240122T090000Z/);
  assert.doesNotMatch(out, /RRULE|EXDATE|TZID|VTIMEZONE/);
  assert.ok(out.endsWith('\r\n') && !/[^\r]\n/.test(out));
  const sel = renderCalendarData(vcalendar, {
    comp: { name: 'VCALENDAR', allProps: false, props: [{ name: 'VERSION', novalue: false }], allComps: false,
      comps: [{ name: 'VEVENT', allProps: false, props: [{ name: 'UID', novalue: false }, { name: 'SUMMARY', novalue: true }], allComps: false, comps: [] }] },
  });
  assert.equal(typeof sel, 'string', 'only an expansion is a promise');
  assert.match(sel as string, /UID:weekly@test/);
  assert.match(sel as string, /SUMMARY:\r\n/);
  assert.doesNotMatch(sel as string, /DTSTART|PRODID|VALARM/);
});

test('validation preconditions', () => {
  const base = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n';
  const ev = (uid: string, extra = '') => `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\n${extra}END:VEVENT\r\n`;
  const pre = (text: string, allowed: string[] | null = null) => {
    try {
      parseCalendarObject(text, allowed);
      return 'ok';
    } catch (e) {
      return (e as CalendarDataError).precondition;
    }
  };
  assert.equal(pre(`${base}${ev('a')}END:VCALENDAR\r\n`), 'ok');
  assert.equal(pre(`${base}${ev('a')}END:VCALENDAR\n`.replace(/\r\n/g, '\n')), 'ok');
  assert.equal(pre(`${base}BEGIN:VEVENT\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`), 'valid-calendar-data');
  assert.equal(pre(`${base}${ev('a')}${ev('b')}END:VCALENDAR\r\n`), 'valid-calendar-object-resource');
  assert.equal(pre(`${base}METHOD:PUBLISH\r\n${ev('a')}END:VCALENDAR\r\n`), 'valid-calendar-object-resource');
  assert.equal(pre(`${base}${ev('a')}END:VCALENDAR\r\n`, ['VTODO']), 'supported-calendar-component');
  assert.equal(pre(`${base}${ev('a', 'EXDATE;VALUE=DATE:\r\n')}END:VCALENDAR\r\n`), 'valid-calendar-data');
});
