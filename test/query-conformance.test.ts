// What calendar-query and addressbook-query refuse, and how (RFC 4791 §7.8, §9.6–§9.9;
// RFC 6352 §8.6, §10.4–§10.5), and the query's own time zone for floating times (§9.8).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOK, ownCard, queryBody, VCARD } from './helpers/carddav.js';
import { event, ics } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { calendarQuery, multistatus } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

const NEW_YORK = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Davenport tests//EN',
  'BEGIN:VTIMEZONE', 'TZID:America/New_York',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:-0500', 'TZOFFSETTO:-0400', 'TZNAME:EDT', 'DTSTART:19700308T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:-0400', 'TZOFFSETTO:-0500', 'TZNAME:EST', 'DTSTART:19701101T020000', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', 'END:STANDARD',
  'END:VTIMEZONE', 'END:VCALENDAR', '',
].join('\r\n');

const ALARM = ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'END:VALARM'];

const OBJECTS: Record<string, string> = {
  single: event('single', '20240415T120000Z', '20240415T130000Z'),
  alarm: ics('alarm', ['DTSTART:20240501T100000Z', 'DTEND:20240501T110000Z', 'SUMMARY:With alarm', ...ALARM]),
  'weekly-alarm': ics('weekly-alarm', ['DTSTART:20240502T100000Z', 'DTEND:20240502T110000Z', 'RRULE:FREQ=WEEKLY;COUNT=4', ...ALARM]),
  // 23:00 floating: 23:00Z read in UTC, 03:00Z the next day read in New York (EDT)
  floating: ics('floating', ['DTSTART:20240420T230000', 'DTEND:20240420T233000', 'SUMMARY:Floating late']),
};


describe('query conformance', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    for (const [name, body] of Object.entries(OBJECTS)) {
      const r = await s.request('PUT', `${CAL}${name}.ics`, { body });
      assert.equal(r.status, 201, `${name}: ${r.text}`);
    }
    const card = await s.request('PUT', `${BOOK}card-v3-alice.vcf`, { body: ownCard('card-v3-alice.vcf'), headers: VCARD });
    assert.equal(card.status, 201);
  });
  after(() => s.close());

  const report = (path: string, body: string) => s.request('REPORT', path, { headers: { Depth: '1' }, body });
  const found = async (body: string) => {
    const r = await report(CAL, body);
    assert.equal(r.status, 207, r.text);
    return [...multistatus(r.text).keys()].map((h) => h.slice(CAL.length).replace(/\.ics$/, '')).sort();
  };
  const refused = async (path: string, body: string, status: number, precondition: RegExp) => {
    const r = await report(path, body);
    assert.equal(r.status, status, `${body}\n${r.text}`);
    assert.match(r.text, precondition, body);
  };

  it('a time-range with neither start nor end is a bad request (400) naming valid-filter (RFC 4791 §9.9)', async () => {
    await refused(CAL, calendarQuery('<C:comp-filter name="VEVENT"><C:time-range/></C:comp-filter>'), 400, /<C:valid-filter\/>/);
  });

  it('filters the RFC 4791 DTD or iCalendar cannot hold fail valid-filter', async () => {
    const bad = [
      // a param-filter, text-match or time-range out of place
      '<C:comp-filter name="VEVENT"><C:param-filter name="PARTSTAT"/></C:comp-filter>',
      '<C:comp-filter name="VEVENT"><C:text-match>x</C:text-match></C:comp-filter>',
      '<C:prop-filter name="SUMMARY"><C:comp-filter name="VEVENT"/></C:prop-filter>',
      // is-not-defined beside another test, two tests where one is allowed
      '<C:comp-filter name="VEVENT"><C:is-not-defined/><C:prop-filter name="SUMMARY"/></C:comp-filter>',
      '<C:comp-filter name="VEVENT"><C:prop-filter name="DTSTART"><C:time-range start="20240101T000000Z"/><C:text-match>x</C:text-match></C:prop-filter></C:comp-filter>',
      '<C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:is-not-defined/><C:text-match>x</C:text-match></C:param-filter></C:prop-filter></C:comp-filter>',
      // structures iCalendar has no place for (RFC 4791 §7.8's own examples)
      '<C:comp-filter name="VTODO"><C:comp-filter name="VEVENT"/></C:comp-filter>',
      '<C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter>',
      '<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:time-range start="20240101T000000Z"/></C:prop-filter></C:comp-filter>',
      '<C:time-range start="20240101T000000Z"/>',
      // a time that is no UTC date-time
      '<C:comp-filter name="VEVENT"><C:time-range start="20240101T000000"/></C:comp-filter>',
    ];
    for (const filter of bad) await refused(CAL, calendarQuery(filter), 403, /<C:valid-filter\/>/);
    const notVcalendar = `<C:calendar-query ${NS}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VEVENT"/></C:filter></C:calendar-query>`;
    await refused(CAL, notVcalendar, 403, /<C:valid-filter\/>/);
    const stray = `<C:calendar-query ${NS}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/><C:prop-filter name="UID"/></C:filter></C:calendar-query>`;
    await refused(CAL, stray, 403, /<C:valid-filter\/>/);
    const collation = '<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:comp-filter>';
    await refused(CAL, calendarQuery(collation), 403, /<C:supported-collation\/>/);
  });

  it('valid filters of the same shapes still answer', async () => {
    assert.deepEqual(await found(calendarQuery('<C:comp-filter name="VEVENT"><C:prop-filter name="DTSTART"><C:time-range start="20240415T000000Z" end="20240416T000000Z"/></C:prop-filter></C:comp-filter>')), ['single']);
    assert.deepEqual(await found(calendarQuery('<C:comp-filter name="VEVENT"><C:prop-filter name="X-UNKNOWN"><C:time-range start="20240415T000000Z"/></C:prop-filter></C:comp-filter>')), []);
    assert.deepEqual(await found(calendarQuery('<C:comp-filter name="VEVENT"><C:comp-filter name="X-THING"><C:is-not-defined/></C:comp-filter><X:extension xmlns:X="urn:x"/></C:comp-filter>')), ['alarm', 'floating', 'single', 'weekly-alarm']);
  });

  it('addressbook-query filters the RFC 6352 DTD cannot hold fail CARDDAV:valid-filter', async () => {
    const bad = [
      '<CR:param-filter name="TYPE"/>',
      '<CR:prop-filter name="EMAIL"><CR:is-not-defined/><CR:text-match>x</CR:text-match></CR:prop-filter>',
      '<CR:prop-filter name="EMAIL"><CR:prop-filter name="TYPE"/></CR:prop-filter>',
      '<CR:prop-filter name="EMAIL"><CR:param-filter name="TYPE"><CR:param-filter name="X"/></CR:param-filter></CR:prop-filter>',
    ];
    for (const filter of bad) await refused(BOOK, queryBody(`<CR:filter>${filter}</CR:filter>`), 403, /<CR:valid-filter\/>/);
    const collation = '<CR:prop-filter name="FN"><CR:text-match collation="i;klingon">x</CR:text-match></CR:prop-filter>';
    await refused(BOOK, queryBody(`<CR:filter>${collation}</CR:filter>`), 403, /<CR:supported-collation\/>/);
    const r = await report(BOOK, queryBody('<CR:filter><CR:prop-filter name="EMAIL"><CR:param-filter name="TYPE"/></CR:prop-filter></CR:filter>'));
    assert.equal(r.status, 207, r.text);
    assert.ok(multistatus(r.text).has(`${BOOK}card-v3-alice.vcf`));
  });

  it('calendar-data in a format other than iCalendar 2.0 fails supported-calendar-data (RFC 4791 §9.6)', async () => {
    const filter = '<C:comp-filter name="VEVENT"/>';
    for (const attrs of ['content-type="application/json" version="9.0"', 'version="3.0"', 'content-type="application/calendar+json"']) {
      await refused(CAL, calendarQuery(filter, `<C:calendar-data ${attrs}/>`), 403, /<C:supported-calendar-data\/>/);
    }
    const multiget = `<C:calendar-multiget ${NS}><D:prop><C:calendar-data content-type="text/x-vcalendar" version="1.0"/></D:prop><D:href>${CAL}single.ics</D:href></C:calendar-multiget>`;
    await refused(CAL, multiget, 403, /<C:supported-calendar-data\/>/);
    const explicit = await report(CAL, calendarQuery(filter, '<C:calendar-data content-type="text/calendar" version="2.0"/>'));
    assert.equal(explicit.status, 207);
  });

  it('"no VALARM" finds only events without one, recurring or not, with or without a time-range', async () => {
    const noAlarm = '<C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter>';
    assert.deepEqual(await found(calendarQuery(`<C:comp-filter name="VEVENT">${noAlarm}</C:comp-filter>`)), ['floating', 'single']);
    const may = '<C:time-range start="20240501T000000Z" end="20240601T000000Z"/>';
    assert.deepEqual(await found(calendarQuery(`<C:comp-filter name="VEVENT">${may}${noAlarm}</C:comp-filter>`)), []);
  });

  it('floating times are read in the query\'s CALDAV:timezone when it gives one (RFC 4791 §9.8)', async () => {
    const around = (start: string, end: string, timezone = '') =>
      found(calendarQuery(`<C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/></C:comp-filter>`, '<D:getetag/>', timezone));
    const inNewYork = `<C:timezone>${NEW_YORK}</C:timezone>`;
    assert.deepEqual(await around('20240420T225000Z', '20240420T231000Z'), ['floating'], 'UTC without a timezone');
    assert.deepEqual(await around('20240420T225000Z', '20240420T231000Z', inNewYork), []);
    assert.deepEqual(await around('20240421T025000Z', '20240421T031000Z', inNewYork), ['floating']);
    assert.deepEqual(await around('20240421T025000Z', '20240421T031000Z'), []);
    // the query's zone wins over the calendar's calendar-timezone too
    const berlin = NEW_YORK.replace('America/New_York', 'Europe/Berlin').replaceAll('-0500', '+0100').replaceAll('-0400', '+0200');
    const set = `<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:calendar-timezone>${berlin}</C:calendar-timezone></D:prop></D:set></D:propertyupdate>`;
    assert.equal((await s.request('PROPPATCH', CAL, { body: set })).status, 207);
    assert.deepEqual(await around('20240420T205000Z', '20240420T211000Z'), ['floating'], 'the calendar-timezone');
    assert.deepEqual(await around('20240421T025000Z', '20240421T031000Z', inNewYork), ['floating']);
    const noZone = '<C:timezone>BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n</C:timezone>';
    await refused(CAL, calendarQuery('<C:comp-filter name="VEVENT"/>', '<D:getetag/>', noZone), 403, /<C:valid-calendar-data\/>/);
  });
});
