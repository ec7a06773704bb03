import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOB, startTestServer, type TestServer } from './helpers/server.js';
import { BERLIN, event, ics } from './helpers/ics.js';
import { c, calendarQuery, d, multistatus, propText } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

/** The objects every test below queries. */
const OBJECTS: Record<string, string> = {
  // weekly on Mondays 09:00 Berlin, 10 times from 2024-03-04 (crosses the DST change), one EXDATE, one moved instance
  weekly: ics('weekly', [
    'DTSTART;TZID=Europe/Berlin:20240304T090000', 'DTEND;TZID=Europe/Berlin:20240304T100000', 'SUMMARY:Team meeting',
    'RRULE:FREQ=WEEKLY;COUNT=10', 'EXDATE;TZID=Europe/Berlin:20240318T090000',
  ], 'VEVENT', [
    'BEGIN:VEVENT', 'UID:weekly', 'DTSTAMP:20240101T000000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20240325T090000',
    'DTSTART;TZID=Europe/Berlin:20240605T150000', 'DTEND;TZID=Europe/Berlin:20240605T160000', 'SUMMARY:Team meeting (moved)', 'END:VEVENT',
    BERLIN,
  ].join('\r\n')),
  allday: ics('allday', ['DTSTART;VALUE=DATE:20240410', 'DTEND;VALUE=DATE:20240412', 'SUMMARY:Conference', 'CATEGORIES:WORK', 'LOCATION:Zürich']),
  floating: ics('floating', ['DTSTART:20240420T230000', 'DTEND:20240420T233000', 'SUMMARY:Floating late']),
  single: event('single', '20240415T120000Z', '20240415T130000Z', ['ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com', 'DESCRIPTION:Lunch with Bob']),
  alarm: ics('alarm', [
    'DTSTART:20240501T100000Z', 'DTEND:20240501T110000Z', 'SUMMARY:With alarm',
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-P2D', 'END:VALARM',
  ]),
  forever: ics('forever', ['DTSTART:20200106T080000Z', 'DTEND:20200106T083000Z', 'SUMMARY:Stand-up', 'RRULE:FREQ=WEEKLY;BYDAY=MO']),
  'todo-due': ics('todo-due', ['DUE:20240405T100000Z', 'SUMMARY:Report'], 'VTODO'),
  'todo-dtstart-duration': ics('todo-dtstart-duration', ['DTSTART:20240406T100000Z', 'DURATION:PT2H', 'SUMMARY:Review'], 'VTODO'),
  'todo-completed': ics('todo-completed', ['COMPLETED:20240407T100000Z', 'STATUS:COMPLETED', 'SUMMARY:Done'], 'VTODO'),
  'todo-bare': ics('todo-bare', ['SUMMARY:Someday'], 'VTODO'),
};


const range = (start: string, end: string) => `<C:time-range start="${start}" end="${end}"/>`;

describe('calendar-query and calendar-multiget', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    for (const [name, body] of Object.entries(OBJECTS)) {
      const r = await s.request('PUT', `${CAL}${name}.ics`, { body });
      assert.equal(r.status, 201, `${name}: ${r.text}`);
    }
  });
  after(() => s.close());

  const found = async (filter: string) => {
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: calendarQuery(filter) });
    assert.equal(r.status, 207, r.text);
    return [...multistatus(r.text).keys()].map((h) => h.slice(CAL.length).replace(/\.ics$/, '')).sort();
  };

  it('time-range over recurring events: RRULE, EXDATE, moved instances, DST, open-ended series', async () => {
    const week = (start: string, end: string) => found(`<C:comp-filter name="VEVENT">${range(start, end)}</C:comp-filter>`);
    // 2024-03-11 09:00 Berlin (CET) = 08:00Z
    assert.ok((await week('20240311T075900Z', '20240311T080100Z')).includes('weekly'));
    // the EXDATE'd 2024-03-18 has no instance
    assert.ok(!(await week('20240318T000000Z', '20240319T000000Z')).includes('weekly'));
    // 2024-03-25 was moved to 2024-06-05: nothing on 03-25 ...
    assert.ok(!(await week('20240325T000000Z', '20240326T000000Z')).includes('weekly'));
    // ... but the moved instance is found on 06-05 (15:00 CEST = 13:00Z), outside the RRULE's span
    assert.ok((await week('20240605T125900Z', '20240605T130100Z')).includes('weekly'));
    // after DST: 2024-04-08 09:00 CEST = 07:00Z
    assert.ok((await week('20240408T065900Z', '20240408T070100Z')).includes('weekly'));
    assert.ok(!(await week('20240408T080000Z', '20240408T080100Z')).includes('weekly'));
    // after the tenth instance (2024-05-06) nothing
    assert.ok(!(await week('20240513T000000Z', '20240514T000000Z')).includes('weekly'));
    // open-ended weekly series found years later, but not on a Tuesday
    assert.ok((await week('20300107T080000Z', '20300107T081000Z')).includes('forever'));
    assert.ok(!(await week('20300108T000000Z', '20300109T000000Z')).includes('forever'));
  });

  it('time-range for all-day, floating and single events', async () => {
    const ev = (start: string, end: string) => found(`<C:comp-filter name="VEVENT">${range(start, end)}</C:comp-filter>`);
    assert.deepEqual((await ev('20240411T120000Z', '20240411T130000Z')).filter((x) => x === 'allday'), ['allday']);
    assert.ok(!(await ev('20240412T000000Z', '20240413T000000Z')).includes('allday'), 'DTEND of an all-day event is exclusive');
    assert.ok((await ev('20240420T225000Z', '20240420T231000Z')).includes('floating'), 'floating time read as UTC without a calendar timezone');
    assert.ok((await ev('20240415T125959Z', '20240415T130000Z')).includes('single'));
    assert.ok(!(await ev('20240415T130000Z', '20240415T140000Z')).includes('single'), 'end is exclusive');
  });

  it('VTODO time-range follows RFC 4791 §9.9', async () => {
    const todo = (start: string, end: string) => found(`<C:comp-filter name="VTODO">${range(start, end)}</C:comp-filter>`);
    const day = async (date: string) => todo(`${date}T000000Z`, `${date}T235959Z`);
    assert.deepEqual(await day('20240405'), ['todo-bare', 'todo-due']);
    assert.deepEqual(await day('20240406'), ['todo-bare', 'todo-dtstart-duration']);
    assert.deepEqual(await day('20240407'), ['todo-bare', 'todo-completed']);
    assert.deepEqual(await day('20240301'), ['todo-bare']);
    assert.deepEqual(await found('<C:comp-filter name="VTODO"/>'), ['todo-bare', 'todo-completed', 'todo-dtstart-duration', 'todo-due']);
  });

  it('VALARM time-range finds the event by when its alarm fires', async () => {
    const alarmOn = (start: string, end: string) => found(`<C:comp-filter name="VEVENT"><C:comp-filter name="VALARM">${range(start, end)}</C:comp-filter></C:comp-filter>`);
    assert.deepEqual(await alarmOn('20240429T090000Z', '20240429T110000Z'), ['alarm']);
    assert.deepEqual(await alarmOn('20240501T090000Z', '20240501T110000Z'), []);
  });

  it('prop-filter with text-match collations, negate-condition, is-not-defined, param-filter', async () => {
    const ev = (inner: string) => found(`<C:comp-filter name="VEVENT">${inner}</C:comp-filter>`);
    assert.deepEqual(await ev('<C:prop-filter name="SUMMARY"><C:text-match>team MEETING</C:text-match></C:prop-filter>'), ['weekly']);
    assert.deepEqual(await ev('<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">team MEETING</C:text-match></C:prop-filter>'), []);
    assert.deepEqual(await ev('<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">Team meeting</C:text-match></C:prop-filter>'), ['weekly']);
    assert.deepEqual(await ev('<C:prop-filter name="LOCATION"><C:text-match collation="i;unicode-casemap">ZÜRICH</C:text-match></C:prop-filter>'), ['allday']);
    const notTeam = await ev('<C:prop-filter name="SUMMARY"><C:text-match negate-condition="yes">meeting</C:text-match></C:prop-filter>');
    assert.ok(!notTeam.includes('weekly') && notTeam.includes('single'));
    assert.deepEqual(await ev('<C:prop-filter name="CATEGORIES"><C:text-match>work</C:text-match></C:prop-filter>'), ['allday']);
    const noLocation = await ev('<C:prop-filter name="LOCATION"><C:is-not-defined/></C:prop-filter>');
    assert.ok(!noLocation.includes('allday') && noLocation.includes('single'));
    assert.deepEqual(await ev('<C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:text-match>ACCEPTED</C:text-match></C:param-filter></C:prop-filter>'), ['single']);
    assert.deepEqual(await ev('<C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:text-match>DECLINED</C:text-match></C:param-filter></C:prop-filter>'), []);
    assert.deepEqual(await ev('<C:prop-filter name="ATTENDEE"><C:param-filter name="ROLE"><C:is-not-defined/></C:param-filter></C:prop-filter>'), ['single']);
    assert.deepEqual(await found('<C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter>').then((x) => x.includes('todo-due')), false);
  });

  it('bad filters get 4xx with a CalDAV precondition, unsupported collations supported-collation', async () => {
    const bad = async (filter: string, pre: string) => {
      const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: calendarQuery(filter) });
      assert.equal(r.status, 403, r.text);
      assert.match(r.text, new RegExp(pre));
    };
    await bad('<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:comp-filter>', 'supported-collation');
    await bad('<C:comp-filter name="VEVENT"><C:time-range start="2024-01-01" end="20240102T000000Z"/></C:comp-filter>', 'valid-filter');
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: `<C:calendar-query ${NS}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VEVENT"/></C:filter></C:calendar-query>` });
    assert.equal(r.status, 403);
    assert.match(r.text, /valid-filter/);
  });

  it('calendar-data with comp/prop selection, expand and limit-recurrence-set', async () => {
    const selection = `<C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="UID"/><C:prop name="DTSTART" novalue="yes"/></C:comp></C:comp></C:calendar-data>`;
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: calendarQuery(`<C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;octet">single</C:text-match></C:prop-filter></C:comp-filter>`, `<D:getetag/>${selection}`) });
    const data = propText(multistatus(r.text).get(`${CAL}single.ics`), c('calendar-data'))!;
    assert.match(data, /SUMMARY:Event single/);
    assert.match(data, /UID:single/);
    assert.match(data, /DTSTART[;:]/);
    assert.doesNotMatch(data, /DTSTART:20240415T120000Z/, 'novalue drops the value');
    assert.doesNotMatch(data, /DESCRIPTION|ATTENDEE|PRODID/);

    const expand = `<C:calendar-data><C:expand start="20240301T000000Z" end="20240701T000000Z"/></C:calendar-data>`;
    const e = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: calendarQuery(`<C:comp-filter name="VEVENT">${range('20240301T000000Z', '20240701T000000Z')}</C:comp-filter>`, expand) });
    const weekly = propText(multistatus(e.text).get(`${CAL}weekly.ics`), c('calendar-data'))!;
    // 10 instances minus one EXDATE; the moved one counts once, at its new time
    assert.equal(weekly.match(/BEGIN:VEVENT/g)!.length, 9);
    assert.doesNotMatch(weekly, /RRULE|EXDATE/);
    assert.match(weekly, /RECURRENCE-ID:20240311T080000Z/);
    assert.match(weekly, /DTSTART:20240605T130000Z/);

    const limit = `<C:calendar-data><C:limit-recurrence-set start="20240601T000000Z" end="20240701T000000Z"/></C:calendar-data>`;
    const l = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: calendarQuery(`<C:comp-filter name="VEVENT">${range('20240601T000000Z', '20240701T000000Z')}</C:comp-filter>`, limit) });
    const limited = propText(multistatus(l.text).get(`${CAL}weekly.ics`), c('calendar-data'))!;
    assert.match(limited, /RRULE/, 'the master stays');
    assert.match(limited, /Team meeting \(moved\)/, 'the override inside the range stays');
  });

  it('limit with nresults truncates with 507', async () => {
    const body = `<C:calendar-query ${NS}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter><C:limit><C:nresults>2</C:nresults></C:limit></C:calendar-query>`;
    const r = multistatus((await s.request('REPORT', CAL, { headers: { Depth: '1' }, body })).text);
    assert.equal([...r.keys()].filter((h) => h !== CAL).length, 2);
    assert.equal(r.get(CAL)!.status, 507);
  });

  it('a query answers its matches page by page; nresults truncates across a page boundary', async () => {
    // The driver answers 500 members at a time (davcommon/query-report.ts): 501 events
    // make a second page, and a limit of exactly one page must still see that it cut.
    const MANY = '/dav/calendars/alice/many/';
    assert.equal((await s.request('MKCALENDAR', MANY)).status, 201);
    const uids = Array.from({ length: 501 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    for (let i = 0; i < uids.length; i += 25) {
      const batch = uids.slice(i, i + 25).map((uid) => s.request('PUT', `${MANY}${uid}.ics`, { body: event(uid, '20240301T100000Z', '20240301T110000Z') }));
      assert.ok((await Promise.all(batch)).every((r) => r.status === 201));
    }
    const found = async (limit: string) => {
      const body = `<C:calendar-query ${NS}><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">${range('20240301T000000Z', '20240302T000000Z')}</C:comp-filter></C:comp-filter></C:filter>${limit}</C:calendar-query>`;
      const r = await s.request('REPORT', MANY, { headers: { Depth: '1' }, body });
      assert.equal(r.status, 207);
      const ms = multistatus(r.text);
      return { members: [...ms.keys()].filter((h) => h !== MANY).length, truncated: ms.get(MANY)?.status === 507 };
    };
    assert.deepEqual(await found(''), { members: 501, truncated: false });
    assert.deepEqual(await found('<C:limit><C:nresults>500</C:nresults></C:limit>'), { members: 500, truncated: true });
    assert.deepEqual(await found('<C:limit><C:nresults>501</C:nresults></C:limit>'), { members: 501, truncated: false });
  });

  it('calendar-multiget answers each href: found, missing, other collection 404, other user 403', async () => {
    await s.request('MKCALENDAR', '/dav/calendars/alice/other/');
    await s.request('PUT', '/dav/calendars/alice/other/x.ics', { body: event('x-other', '20240101T100000Z', '20240101T110000Z') });
    await s.request('PUT', '/dav/calendars/bob/default/b.ics', { user: BOB, body: event('b', '20240101T100000Z', '20240101T110000Z') });
    const hrefs = [`${CAL}single.ics`, `${CAL}nope.ics`, '/dav/calendars/alice/other/x.ics', '/dav/calendars/bob/default/b.ics', `http://127.0.0.1${CAL}allday.ics`];
    const body = `<C:calendar-multiget ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>${hrefs.map((h) => `<D:href>${h}</D:href>`).join('')}</C:calendar-multiget>`;
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body });
    assert.equal(r.status, 207);
    const ms = multistatus(r.text);
    assert.equal(propText(ms.get(`${CAL}single.ics`), c('calendar-data')), OBJECTS.single);
    assert.ok(propText(ms.get(`${CAL}single.ics`), d('getetag')));
    assert.equal(ms.get(`${CAL}nope.ics`)!.status, 404);
    assert.equal(ms.get('/dav/calendars/alice/other/x.ics')!.status, 404);
    assert.equal(ms.get('/dav/calendars/bob/default/b.ics')!.status, 403);
    assert.equal(propText(ms.get(`${CAL}allday.ics`), c('calendar-data')), OBJECTS.allday);
  });

  it('calendar-data comes back exactly, whatever its bytes: markup characters, Latin-1, marker look-alikes', async () => {
    const markup = event('markup', '20240801T100000Z', '20240801T110000Z', ['DESCRIPTION:<b>Fish & "chips"</b> > 3\uE0000\uE001 ü']);
    const latin1 = Buffer.from(event('latin1', '20240802T100000Z', '20240802T110000Z', ['SUMMARY:Caf\u00e9 f\u00fcr M\u00fcnchen']), 'latin1');
    assert.equal((await s.request('PUT', `${CAL}markup.ics`, { body: markup })).status, 201);
    assert.equal((await s.request('PUT', `${CAL}latin1.ics`, { body: latin1 })).status, 201);
    const trap = `${CAL}\uE0000\uE001.ics`;
    const body = `<C:calendar-multiget ${NS}><D:prop><C:calendar-data/></D:prop><D:href>${CAL}markup.ics</D:href><D:href>${CAL}latin1.ics</D:href><D:href>${trap}</D:href></C:calendar-multiget>`;
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body });
    const ms = multistatus(r.text);
    assert.equal(propText(ms.get(`${CAL}markup.ics`), c('calendar-data')), markup);
    assert.equal(propText(ms.get(`${CAL}latin1.ics`), c('calendar-data')), latin1.toString('latin1'));
    assert.equal(ms.get(trap)!.status, 404, 'an href that looks like a marker is echoed, not replaced');
    const q = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: calendarQuery(`<C:comp-filter name="VEVENT">${range('20240801T000000Z', '20240802T000000Z')}</C:comp-filter>`, '<C:calendar-data/>') });
    assert.equal(propText(multistatus(q.text).get(`${CAL}markup.ics`), c('calendar-data')), markup);
  });

  it('an unknown report is 403 supported-report', async () => {
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: `<X:whatever xmlns:X="urn:x"/>` });
    assert.equal(r.status, 403);
    assert.match(r.text, /supported-report/);
  });
});
