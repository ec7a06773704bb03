// calendar-query time-ranges answered through the instance index (migrations/
// 002_time_index.sql, src/ical/time-index.ts), over real HTTP on the suite's engine: every case
// here is one the index must get exactly right, or must know to hand to the parser.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers/server.js';

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const CAL = '/dav/calendars/alice/ti/';
const BERLIN_CAL = '/dav/calendars/alice/ti-berlin/';
const TODOS = '/dav/calendars/alice/ti-todo/';

const BERLIN = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n`;

const ics = (body: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n${body.trim().split('\n').map((l) => l.trim()).filter(Boolean).join('\r\n')}\r\nEND:VCALENDAR\r\n`;

/** "20240101T090000Z" → the CalDAV time-range attribute form. */
function q(comp: string, start: string | null, end: string | null, inner = ''): string {
  const attrs = `${start ? ` start="${start}"` : ''}${end ? ` end="${end}"` : ''}`;
  return `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="${comp}"><C:time-range${attrs}/>${inner}</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
}

describe('calendar-query through the time index', () => {
  let s: TestServer;

  /** The object names a query returns, sorted; each href must appear once. */
  async function found(path: string, body: string): Promise<string[]> {
    const r = await s.request('REPORT', path, { headers: { Depth: '1' }, body });
    assert.equal(r.status, 207, r.text);
    const hrefs = [...r.text.matchAll(/<D:href>([^<]*)<\/D:href>|<href[^>]*>([^<]*)<\/href>/g)].map((m) => decodeURIComponent(m[1] ?? m[2]!));
    const names = hrefs.map((h) => h.slice(h.lastIndexOf('/') + 1).replace(/\.ics$/, ''));
    assert.equal(new Set(names).size, names.length, `duplicate responses: ${names.join(', ')}`);
    return names.sort();
  }
  const events = (start: string | null, end: string | null, path = CAL) => found(path, q('VEVENT', start, end));
  const todos = (start: string | null, end: string | null) => found(TODOS, q('VTODO', start, end));

  async function put(path: string, name: string, body: string): Promise<void> {
    const r = await s.request('PUT', `${path}${name}.ics`, { body: ics(body), headers: { 'Content-Type': 'text/calendar' } });
    assert.ok(r.status === 201 || r.status === 204, `${name}: ${r.status} ${r.text}`);
  }

  before(async () => {
    s = await startTestServer();
    assert.equal((await s.request('MKCALENDAR', CAL)).status, 201);
    const mk = `<C:mkcalendar ${NS}><D:set><D:prop><C:calendar-timezone><![CDATA[${BERLIN}]]></C:calendar-timezone></D:prop></D:set></C:mkcalendar>`;
    assert.equal((await s.request('MKCALENDAR', BERLIN_CAL, { body: mk })).status, 201);
    const todo = `<C:mkcalendar ${NS}><D:set><D:prop><C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`;
    assert.equal((await s.request('MKCALENDAR', TODOS, { body: todo })).status, 201);
  });
  after(() => s.close());

  it('an update that moves an event moves its index rows; one that moves nothing keeps them', async () => {
    const at = (day: string, summary = 'Dentist') => `BEGIN:VEVENT
      UID:update-moves
      DTSTAMP:20240101T000000Z
      DTSTART:203102${day}T100000Z
      DTEND:203102${day}T110000Z
      SUMMARY:${summary}
      END:VEVENT`;
    const onDay = (day: string) => events(`203102${day}T000000Z`, `203102${day}T235959Z`);
    await put(CAL, 'update-moves', at('05'));
    assert.deepEqual(await onDay('05'), ['update-moves']);
    await put(CAL, 'update-moves', at('07'));
    assert.deepEqual(await onDay('05'), [], 'moved away');
    assert.deepEqual(await onDay('07'), ['update-moves'], 'moved here');
    await put(CAL, 'update-moves', at('07', 'Dentist, bring the card'));
    assert.deepEqual(await onDay('07'), ['update-moves'], 'still here after an update that moves nothing');
    await put(CAL, 'update-moves', at('09'));
    assert.deepEqual(await onDay('07'), [], 'and moves again after it');
    assert.deepEqual(await onDay('09'), ['update-moves']);
  });

  it('a weekly series: EXDATE, a moved override, the end of COUNT, one response per object', async () => {
    await put(CAL, 'weekly', `
      BEGIN:VEVENT
      UID:weekly
      DTSTAMP:20240101T000000Z
      DTSTART:20240101T090000Z
      DTEND:20240101T100000Z
      RRULE:FREQ=WEEKLY;COUNT=6
      EXDATE:20240108T090000Z
      SUMMARY:Weekly
      END:VEVENT
      BEGIN:VEVENT
      UID:weekly
      DTSTAMP:20240101T000000Z
      RECURRENCE-ID:20240115T090000Z
      DTSTART:20240117T150000Z
      DTEND:20240117T160000Z
      SUMMARY:Moved
      END:VEVENT`);
    assert.deepEqual(await events('20240101T000000Z', '20240102T000000Z'), ['weekly']);
    assert.deepEqual(await events('20240108T000000Z', '20240109T000000Z'), [], 'EXDATE');
    assert.deepEqual(await events('20240115T000000Z', '20240116T000000Z'), [], 'moved away');
    assert.deepEqual(await events('20240117T000000Z', '20240118T000000Z'), ['weekly'], 'moved here');
    assert.deepEqual(await events('20240205T000000Z', '20240206T000000Z'), ['weekly'], 'sixth');
    assert.deepEqual(await events('20240212T000000Z', '20240213T000000Z'), [], 'after COUNT');
    assert.deepEqual(await events('20240101T000000Z', '20240301T000000Z'), ['weekly'], 'once, not per instance');
    // the boundaries: DTEND is exclusive, DTSTART inclusive
    assert.deepEqual(await events('20240101T100000Z', '20240101T110000Z'), []);
    assert.deepEqual(await events('20240101T080000Z', '20240101T090000Z'), []);
    assert.deepEqual(await events('20240101T095959Z', '20240101T100000Z'), ['weekly']);
    // a filter beside the time-range is evaluated on the instance in range
    const moved = q('VEVENT', '20240110T000000Z', '20240120T000000Z',
      '<C:prop-filter name="SUMMARY"><C:text-match>Moved</C:text-match></C:prop-filter>');
    assert.deepEqual(await found(CAL, moved), ['weekly']);
    const weekly = q('VEVENT', '20240110T000000Z', '20240120T000000Z',
      '<C:prop-filter name="SUMMARY"><C:text-match>Weekly</C:text-match></C:prop-filter>');
    assert.deepEqual(await found(CAL, weekly), []);
  });

  it('an open-ended series far beyond the indexing horizon, and in the weeks it skips', async () => {
    await put(CAL, 'forever', `
      BEGIN:VEVENT
      UID:forever
      DTSTAMP:20240101T000000Z
      DTSTART:20240102T120000Z
      DURATION:PT30M
      RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU
      END:VEVENT`);
    // 2024-01-02 is a Tuesday; every other Tuesday. 2060-01-06 is a Tuesday of the
    // series iff the number of weeks between is even: 1879 weeks → odd, so 2060-01-13.
    assert.deepEqual(await events('20240102T000000Z', '20240103T000000Z'), ['forever']);
    assert.deepEqual(await events('20240109T000000Z', '20240110T000000Z'), []);
    assert.deepEqual(await events('20600113T000000Z', '20600114T000000Z'), ['forever']);
    assert.deepEqual(await events('20600106T000000Z', '20600107T000000Z'), []);
    assert.deepEqual(await events('20600113T123000Z', '20600114T000000Z'), [], 'ended at 12:30');
    assert.deepEqual(await events('21000101T000000Z', null), ['forever']);
  });

  it('long and all-day events are found from inside them, and not after them', async () => {
    await put(CAL, 'trip', `
      BEGIN:VEVENT
      UID:trip
      DTSTAMP:20240101T000000Z
      DTSTART;VALUE=DATE:20240301
      DTEND;VALUE=DATE:20240322
      END:VEVENT`);
    await put(CAL, 'sabbatical', `
      BEGIN:VEVENT
      UID:sabbatical
      DTSTAMP:20240101T000000Z
      DTSTART;VALUE=DATE:20220101
      DTEND;VALUE=DATE:20240101
      END:VEVENT`);
    await put(CAL, 'allday', `
      BEGIN:VEVENT
      UID:allday
      DTSTAMP:20240101T000000Z
      DTSTART;VALUE=DATE:20240315
      END:VEVENT`);
    assert.deepEqual(await events('20240315T120000Z', '20240315T130000Z'), ['allday', 'trip']);
    assert.deepEqual(await events('20240316T000000Z', '20240317T000000Z'), ['trip'], 'a DATE without DTEND is one day');
    assert.deepEqual(await events('20240321T230000Z', '20240322T000000Z'), ['trip']);
    assert.deepEqual(await events('20240322T000000Z', '20240323T000000Z'), [], 'DTEND is exclusive');
    assert.deepEqual(await events('20230615T000000Z', '20230616T000000Z'), ['sabbatical'], 'from the middle of two years');
    assert.deepEqual(await events('20231231T230000Z', '20240101T000000Z'), ['sabbatical']);
    assert.deepEqual(await events('20240101T000000Z', '20240101T010000Z'), []);
    assert.deepEqual(await events(null, '20220101T000001Z'), ['sabbatical']);
    assert.deepEqual(await events(null, '20220101T000000Z'), []);
  });

  it('a zero-duration event matches a range starting at it, not one ending at it', async () => {
    await put(CAL, 'instant', `
      BEGIN:VEVENT
      UID:instant
      DTSTAMP:20240101T000000Z
      DTSTART:20240501T120000Z
      END:VEVENT`);
    assert.deepEqual(await events('20240501T120000Z', '20240501T130000Z'), ['instant']);
    assert.deepEqual(await events('20240501T110000Z', '20240501T120000Z'), []);
  });

  it('floating times are read in the calendar-timezone', async () => {
    await put(BERLIN_CAL, 'float', `
      BEGIN:VEVENT
      UID:float
      DTSTAMP:20240101T000000Z
      DTSTART:20240110T003000
      DTEND:20240110T010000
      END:VEVENT`);
    // 00:30 in Berlin (winter, UTC+1) is 23:30 UTC the day before
    assert.deepEqual(await events('20240109T230000Z', '20240109T234500Z', BERLIN_CAL), ['float']);
    assert.deepEqual(await events('20240110T003000Z', '20240110T010000Z', BERLIN_CAL), []);
    // the same object in a calendar without a timezone reads as UTC
    await put(CAL, 'float', `
      BEGIN:VEVENT
      UID:float
      DTSTAMP:20240101T000000Z
      DTSTART:20240110T003000
      DTEND:20240110T010000
      END:VEVENT`);
    assert.deepEqual(await events('20240110T003000Z', '20240110T010000Z'), ['float']);
    assert.deepEqual(await events('20240109T230000Z', '20240109T234500Z'), []);
    // the calendar-timezone changes after the PUT: the stored placement must not decide
    const plus5 = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Plus5\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0500\r\nTZOFFSETTO:+0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n';
    const patch = `<D:propertyupdate ${NS}><D:set><D:prop><C:calendar-timezone><![CDATA[${plus5}]]></C:calendar-timezone></D:prop></D:set></D:propertyupdate>`;
    assert.equal((await s.request('PROPPATCH', BERLIN_CAL, { body: patch })).status, 207);
    assert.deepEqual(await events('20240109T193000Z', '20240109T194500Z', BERLIN_CAL), ['float']);
    assert.deepEqual(await events('20240109T230000Z', '20240109T234500Z', BERLIN_CAL), []);
  });

  it('a rewritten object replaces its rows; a deleted one leaves none', async () => {
    const ev = (day: string) => `
      BEGIN:VEVENT
      UID:mover
      DTSTAMP:20240101T000000Z
      DTSTART:${day}T090000Z
      DTEND:${day}T100000Z
      END:VEVENT`;
    await put(CAL, 'mover', ev('20240601'));
    assert.deepEqual(await events('20240601T000000Z', '20240602T000000Z'), ['mover']);
    await put(CAL, 'mover', ev('20240605'));
    assert.deepEqual(await events('20240601T000000Z', '20240602T000000Z'), []);
    assert.deepEqual(await events('20240605T000000Z', '20240606T000000Z'), ['mover']);
    assert.equal((await s.request('DELETE', `${CAL}mover.ics`)).status, 204);
    assert.deepEqual(await events('20240605T000000Z', '20240606T000000Z'), []);
  });

  it('VALARM time-ranges still find alarms that fire before their event', async () => {
    await put(CAL, 'alarmed', `
      BEGIN:VEVENT
      UID:alarmed
      DTSTAMP:20240101T000000Z
      DTSTART:20240701T090000Z
      DTEND:20240701T100000Z
      RRULE:FREQ=DAILY;COUNT=3
      BEGIN:VALARM
      ACTION:DISPLAY
      DESCRIPTION:soon
      TRIGGER:-P1D
      END:VALARM
      END:VEVENT`);
    const alarm = (a: string, b: string) =>
      `<?xml version="1.0" encoding="utf-8"?><C:calendar-query ${NS}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:comp-filter name="VALARM"><C:time-range start="${a}" end="${b}"/></C:comp-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
    assert.deepEqual(await found(CAL, alarm('20240630T085900Z', '20240630T090100Z')), ['alarmed']);
    assert.deepEqual(await found(CAL, alarm('20240702T085900Z', '20240702T090100Z')), ['alarmed'], 'third instance');
    assert.deepEqual(await found(CAL, alarm('20240703T085900Z', '20240703T090100Z')), []);
  });

  it('VTODO: each §9.9 row of the table', async () => {
    const todo = (uid: string, props: string) =>
      put(TODOS, uid, `BEGIN:VTODO\nUID:${uid}\nDTSTAMP:20240101T000000Z\n${props}\nEND:VTODO`);
    await todo('start-dur', 'DTSTART:20240301T100000Z\nDURATION:PT1H');
    await todo('start-due', 'DTSTART:20240302T100000Z\nDUE:20240302T110000Z');
    await todo('start', 'DTSTART:20240303T100000Z');
    await todo('due', 'DUE:20240304T100000Z');
    await todo('completed-created', 'CREATED:20240305T100000Z\nCOMPLETED:20240306T100000Z');
    await todo('completed', 'COMPLETED:20240307T100000Z');
    await todo('created', 'CREATED:20240308T100000Z');
    await todo('nothing', 'SUMMARY:no dates');
    await todo('weekly-due', 'DUE:20240401T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3');
    const only = (xs: string[]) => ['nothing', ...xs].sort();
    // DTSTART+DURATION: the end is inclusive (range starting at it matches)
    assert.deepEqual(await todos('20240301T110000Z', '20240301T120000Z'), only(['start-dur']));
    // DTSTART+DUE: DUE exclusive for a range starting at it
    assert.deepEqual(await todos('20240302T110000Z', '20240302T120000Z'), only([]));
    assert.deepEqual(await todos('20240302T103000Z', '20240302T103001Z'), only(['start-due']));
    // DTSTART only: a range starting at it
    assert.deepEqual(await todos('20240303T100000Z', '20240303T100001Z'), only(['start']));
    assert.deepEqual(await todos('20240303T090000Z', '20240303T100000Z'), only([]));
    // DUE only: a range ending at it matches, one starting at it does not
    assert.deepEqual(await todos('20240304T090000Z', '20240304T100000Z'), only(['due']));
    assert.deepEqual(await todos('20240304T100000Z', '20240304T110000Z'), only([]));
    // CREATED+COMPLETED: anything touching [CREATED, COMPLETED], both ends inclusive
    assert.deepEqual(await todos('20240306T100000Z', '20240306T110000Z'), only(['completed-created']));
    assert.deepEqual(await todos('20240305T090000Z', '20240305T100000Z'), only(['completed-created']));
    // COMPLETED only: inclusive at both sides
    assert.deepEqual(await todos('20240307T090000Z', '20240307T100000Z'), only(['completed']));
    assert.deepEqual(await todos('20240307T100000Z', '20240307T110000Z'), only(['completed']));
    assert.deepEqual(await todos('20240307T100001Z', '20240307T110000Z'), only([]));
    // CREATED only: every range ending after it
    assert.deepEqual(await todos('20300101T000000Z', '20300102T000000Z'), only(['created']));
    assert.deepEqual(await todos('20240308T090000Z', '20240308T100000Z'), only([]));
    // a recurring DUE-anchored todo, third instance
    assert.deepEqual(await todos('20240415T090000Z', '20240415T100000Z'), only(['created', 'weekly-due']));
    assert.deepEqual(await todos('20240422T090000Z', '20240422T100000Z'), only(['created']));
  });

  it('endless sub-daily series are found at any distance; rules only countable from DTSTART beyond 50,000 instances are refused', async () => {
    const cal = '/dav/calendars/alice/ti-far/';
    assert.equal((await s.request('MKCALENDAR', cal)).status, 201);
    const series = (uid: string, rule: string, start = 'DTSTART:20150101T000000Z') =>
      `BEGIN:VEVENT\nUID:${uid}\nDTSTAMP:20150101T000000Z\n${start}\nDURATION:PT10M\nRRULE:${rule}\nEND:VEVENT`;
    await put(cal, 'hourly', series('hourly', 'FREQ=HOURLY'));
    await put(cal, 'quarterly', series('quarterly', 'FREQ=MINUTELY;INTERVAL=15', 'DTSTART;TZID=Europe/Berlin:20150105T090700'));
    await put(cal, 'weekday-hours', series('weekday-hours', 'FREQ=HOURLY;BYDAY=MO;BYHOUR=9'));
    const at = (start: string, end: string) => found(cal, q('VEVENT', start, end));
    assert.deepEqual(await at('20350604T030500Z', '20350604T030800Z'), ['hourly', 'quarterly']); // 03:00 and 03:07 UTC (05:07 CEST)
    assert.deepEqual(await at('20350604T031800Z', '20350604T032100Z'), []);
    assert.deepEqual(await at('20350604T090500Z', '20350604T090600Z'), ['hourly', 'weekday-hours']); // a Monday, 09:00 UTC
    for (const rule of ['FREQ=HOURLY;COUNT=60000', 'FREQ=MINUTELY;BYSETPOS=1;BYSECOND=0,30']) {
      const r = await s.request('PUT', `${cal}refused.ics`, { body: ics(series('refused', rule)), headers: { 'Content-Type': 'text/calendar' } });
      assert.equal(r.status, 403, rule);
      assert.match(r.text, /max-instances/, rule);
    }
  });
});
