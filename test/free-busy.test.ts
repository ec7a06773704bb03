import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { BOB, startTestServer, type TestServer } from './helpers/server.js';
import { BERLIN, ics } from './helpers/ics.js';
import { c, d, multistatus, parse, propText } from './helpers/xml.js';

// Free-busy lookups (RFC 6638 §5 POST to the outbox, RFC 4791 §7.10 REPORT) against
// Bob's calendars, asked by Alice as Apple Calendar and Thunderbird ask.

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const OUTBOX = '/dav/calendars/alice/outbox/';
const BOB_HOME = '/dav/calendars/bob/';

const NEW_YORK = [
  'BEGIN:VTIMEZONE', 'TZID:America/New_York',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:-0500', 'TZOFFSETTO:-0400', 'TZNAME:EDT', 'DTSTART:20070311T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:-0400', 'TZOFFSETTO:-0500', 'TZNAME:EST', 'DTSTART:20071104T020000', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', 'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/** Monday 2024-06-03, the day every question below is about (a 24-hour UTC window, as Apple asks). */
const DAY_START = '20240603T000000Z';
const DAY_END = '20240604T000000Z';

const timed = (uid: string, start: string, end: string, more: string[] = []) => ics(uid, [`DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:${uid}`, ...more]);

/** Bob's objects, by calendar; each line of the expected answers below names what made it. */
const BOB_OBJECTS: Record<string, Record<string, string>> = {
  default: {
    meeting: timed('meeting', '20240603T090000Z', '20240603T100000Z'),
    transparent: timed('transparent', '20240603T120000Z', '20240603T130000Z', ['TRANSP:TRANSPARENT']),
    cancelled: timed('cancelled', '20240603T130000Z', '20240603T140000Z', ['STATUS:CANCELLED']),
    declined: timed('declined', '20240603T110000Z', '20240603T120000Z', [
      'ORGANIZER;SCHEDULE-AGENT=CLIENT:mailto:carol@example.net', 'ATTENDEE;PARTSTAT=DECLINED;SCHEDULE-AGENT=CLIENT:mailto:bob@example.com',
    ]),
    // Daily 18:00 Berlin (16:00Z in summer); the instance of 06-03 moved to 15:00 New York (19:00Z).
    'daily-moved': ics('daily-moved', [
      'DTSTART;TZID=Europe/Berlin:20240601T180000', 'DTEND;TZID=Europe/Berlin:20240601T183000', 'SUMMARY:Daily', 'RRULE:FREQ=DAILY;COUNT=10',
    ], 'VEVENT', [
      'BEGIN:VEVENT', 'UID:daily-moved', 'DTSTAMP:20240101T000000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20240603T180000',
      'DTSTART;TZID=America/New_York:20240603T150000', 'DTEND;TZID=America/New_York:20240603T160000', 'SUMMARY:Daily (moved)', 'END:VEVENT',
      BERLIN, NEW_YORK,
    ].join('\r\n')),
  },
  work: {
    adjacent: timed('adjacent', '20240603T100000Z', '20240603T110000Z'),
    tentative: timed('tentative', '20240603T140000Z', '20240603T150000Z', ['STATUS:TENTATIVE']),
    published: ics('published', ['DTSTART:20240603T000000Z', 'DTEND:20240604T000000Z', 'FREEBUSY;FBTYPE=BUSY:20240603T070000Z/PT30M', 'FREEBUSY;FBTYPE=FREE:20240603T080000Z/PT1H'], 'VFREEBUSY'),
  },
  holidays: {
    holiday: timed('holiday', '20240603T150000Z', '20240603T160000Z'),
  },
};

/** Available 08:00–18:00 Berlin on weekdays (06:00–16:00Z in summer); BUSY-UNAVAILABLE otherwise. */
const AVAILABILITY = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Davenport tests//EN',
  'BEGIN:VAVAILABILITY', 'UID:working-hours', 'DTSTAMP:20240101T000000Z', 'DTSTART;TZID=Europe/Berlin:20240101T000000',
  'BEGIN:AVAILABLE', 'UID:weekdays', 'DTSTAMP:20240101T000000Z', 'DTSTART;TZID=Europe/Berlin:20240101T080000', 'DTEND;TZID=Europe/Berlin:20240101T180000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'END:AVAILABLE',
  'END:VAVAILABILITY', BERLIN, 'END:VCALENDAR', '',
].join('\r\n');

/** What Bob's day looks like to anyone asking. */
const BOB_BUSY = [
  'BUSY-UNAVAILABLE 20240603T000000Z/20240603T060000Z', // before working hours
  'BUSY 20240603T070000Z/20240603T073000Z', // the published VFREEBUSY (its FREE period is not busy)
  'BUSY 20240603T090000Z/20240603T110000Z', // meeting + adjacent, from two calendars
  'BUSY-TENTATIVE 20240603T140000Z/20240603T150000Z',
  'BUSY-UNAVAILABLE 20240603T160000Z/20240603T190000Z', // the daily event moved away; holidays is transparent
  'BUSY 20240603T190000Z/20240603T200000Z', // the moved instance, in New York time
  'BUSY-UNAVAILABLE 20240603T200000Z/20240604T000000Z',
];

const xml = (body: string) => `<?xml version="1.0" encoding="utf-8"?>\n${body}`;

function calendarText(lines: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Davenport tests//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

/** Apple Calendar's availability request (CCS loadtest post_availability). */
function appleRequest(attendees: string[], organizer = 'mailto:alice@example.com'): string {
  return calendarText([
    'CALSCALE:GREGORIAN', 'METHOD:REQUEST',
    'BEGIN:VFREEBUSY', 'UID:4E1B5DE5-2FE0-4B6B-8DB8-6F6A8A1C2D3E', `DTSTART:${DAY_START}`, `DTEND:${DAY_END}`,
    ...attendees.map((a) => `ATTENDEE:${a}`), 'DTSTAMP:20240602T120000Z', `ORGANIZER:${organizer}`,
    'SUMMARY:Availability for mailto:bob@example.com', 'END:VFREEBUSY',
  ]);
}

/** Thunderbird's (CalDavFreeBusyRequest). */
function thunderbirdRequest(attendee: string): string {
  return calendarText([
    'METHOD:REQUEST', 'BEGIN:VFREEBUSY', 'DTSTAMP:20240602T120000Z', 'ORGANIZER:mailto:alice@example.com',
    `DTSTART:${DAY_START}`, `DTEND:${DAY_END}`, 'UID:a1b2c3d4-e5f6-4711-8888-000000000001',
    `ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL:${attendee}`, 'END:VFREEBUSY',
  ]);
}

interface RecipientAnswer {
  status: string;
  busy?: string[];
  vfreebusy?: ICAL.Component;
  error?: string[];
}

/** The FREEBUSY lines of a VFREEBUSY as "TYPE start/end" (UTC), in order. */
function busyLines(vfreebusy: ICAL.Component): string[] {
  return vfreebusy.getAllProperties('freebusy').flatMap((p) => {
    const type = String(p.getFirstParameter('fbtype') ?? 'BUSY');
    return p.getValues().map((v) => `${type} ${(v as ICAL.Period).toICALString()}`);
  });
}

/** A schedule-response's answers by recipient. */
function scheduleResponse(text: string): Map<string, RecipientAnswer> {
  const root = parse(text);
  assert.equal(root.name, c('schedule-response'), text);
  const out = new Map<string, RecipientAnswer>();
  for (const r of root.children.filter((x) => x.name === c('response'))) {
    const find = (parent: typeof r | undefined, name: string) => parent?.children.find((x) => x.name === name);
    const href = find(find(r, c('recipient')), d('href'))!.text.trim();
    const data = find(r, c('calendar-data'))?.text;
    const answer: RecipientAnswer = { status: find(r, c('request-status'))!.text.trim() };
    if (data !== undefined) {
      const vcalendar = new ICAL.Component(ICAL.parse(data));
      assert.equal(vcalendar.getFirstPropertyValue('method'), 'REPLY');
      answer.vfreebusy = vcalendar.getFirstSubcomponent('vfreebusy')!;
      answer.busy = busyLines(answer.vfreebusy);
    }
    const error = find(r, d('error'));
    if (error) answer.error = error.children.map((x) => x.name);
    out.set(href, answer);
  }
  return out;
}

describe('free-busy', () => {
  let s: TestServer;
  const asBob = (method: string, path: string, body?: string, headers: Record<string, string> = {}) => s.request(method, path, { body, headers, user: BOB });
  const post = (body: string, headers: Record<string, string> = {}) =>
    s.request('POST', OUTBOX, { body, headers: { 'Content-Type': 'text/calendar', ...headers } });

  before(async () => {
    s = await startTestServer();
    assert.equal((await asBob('MKCALENDAR', `${BOB_HOME}work/`)).status, 201);
    // Apple Calendar sets it when it makes a calendar; later it is PROPPATCHed (the last test).
    const holidays = await asBob('MKCALENDAR', `${BOB_HOME}holidays/`, xml(
      `<C:mkcalendar ${NS}><D:set><D:prop><C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp></D:prop></D:set></C:mkcalendar>`,
    ));
    assert.equal(holidays.status, 201, holidays.text);
    for (const [calendar, objects] of Object.entries(BOB_OBJECTS)) {
      for (const [name, body] of Object.entries(objects)) {
        const r = await asBob('PUT', `${BOB_HOME}${calendar}/${name}.ics`, body, { 'Content-Type': 'text/calendar' });
        assert.equal(r.status, 201, `${calendar}/${name}: ${r.text}`);
      }
    }
    const availability = await asBob('PROPPATCH', `${BOB_HOME}inbox/`, xml(
      `<D:propertyupdate ${NS}><D:set><D:prop><C:calendar-availability>${AVAILABILITY.replace(/\r/g, '&#13;')}</C:calendar-availability></D:prop></D:set></D:propertyupdate>`,
    ));
    assert.equal(availability.status, 207, availability.text);
    assert.equal(multistatus(availability.text).get(`${BOB_HOME}inbox/`)!.props.get(c('calendar-availability'))!.status, 200, availability.text);
  });
  after(() => s.close());

  it("answers Apple Calendar's request: one response per attendee, Bob's busy time exact, an unknown address 3.7", async () => {
    const r = await post(appleRequest(['mailto:bob@example.com', 'mailto:nobody@example.com', 'mailto:alice@example.com', 'mailto:Bob@Example.com']), {
      Originator: 'mailto:alice@example.com', Recipient: 'mailto:bob@example.com, mailto:nobody@example.com, mailto:alice@example.com',
    });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/xml/);
    const answers = scheduleResponse(r.text);
    assert.deepEqual([...answers.keys()], ['mailto:bob@example.com', 'mailto:nobody@example.com', 'mailto:alice@example.com'], 'Bob asked about twice is answered once');
    const bob = answers.get('mailto:bob@example.com')!;
    assert.equal(bob.status, '2.0;Success');
    assert.deepEqual(bob.busy, BOB_BUSY);
    const fb = bob.vfreebusy!;
    assert.equal(fb.getFirstPropertyValue('uid'), '4E1B5DE5-2FE0-4B6B-8DB8-6F6A8A1C2D3E');
    assert.equal(fb.getFirstPropertyValue('dtstart')!.toString(), '2024-06-03T00:00:00Z');
    assert.equal(fb.getFirstPropertyValue('dtend')!.toString(), '2024-06-04T00:00:00Z');
    assert.equal(fb.getFirstPropertyValue('organizer'), 'mailto:alice@example.com');
    assert.equal(fb.getFirstPropertyValue('attendee'), 'mailto:bob@example.com');

    const nobody = answers.get('mailto:nobody@example.com')!;
    assert.match(nobody.status, /^3\.7;/);
    assert.equal(nobody.busy, undefined);
    assert.deepEqual(nobody.error, [c('recipient-exists')]);

    const alice = answers.get('mailto:alice@example.com')!;
    assert.equal(alice.status, '2.0;Success');
    assert.deepEqual(alice.busy, [], 'Alice has nothing on that day');
  });

  it("answers Thunderbird's request (attendee parameters echoed, legacy headers ignored)", async () => {
    const r = await post(thunderbirdRequest('mailto:BOB@example.com'), {
      'Content-Type': 'text/calendar; charset=utf-8', Originator: 'mailto:alice@example.com', Recipient: 'mailto:someone-else@example.com',
    });
    assert.equal(r.status, 200, r.text);
    const answers = scheduleResponse(r.text);
    assert.deepEqual([...answers.keys()], ['mailto:BOB@example.com']);
    const bob = answers.get('mailto:BOB@example.com')!;
    assert.equal(bob.status, '2.0;Success');
    assert.deepEqual(bob.busy, BOB_BUSY);
    const attendee = bob.vfreebusy!.getFirstProperty('attendee')!;
    assert.equal(attendee.getFirstParameter('cutype'), 'INDIVIDUAL');
    assert.equal(attendee.getFirstParameter('role'), 'REQ-PARTICIPANT');
  });

  it('finds a user by principal URL too, and leaves out the event being scheduled (X-CALENDARSERVER-MASK-UID)', async () => {
    const body = appleRequest([`${s.url.replace(/\/$/, '')}/dav/principals/bob/`]).replace('END:VFREEBUSY', 'X-CALENDARSERVER-MASK-UID:meeting\r\nEND:VFREEBUSY');
    const answers = scheduleResponse((await post(body)).text);
    const [bob] = [...answers.values()];
    assert.equal(bob!.status, '2.0;Success');
    assert.ok(bob!.busy!.includes('BUSY 20240603T100000Z/20240603T110000Z'), bob!.busy!.join('\n'));
    assert.ok(!bob!.busy!.some((b) => b.includes('T090000Z')), 'the masked event is not busy time');
  });

  it('clips periods to the range asked about', async () => {
    const body = appleRequest(['mailto:bob@example.com']).replace(`DTSTART:${DAY_START}`, 'DTSTART:20240603T093000Z').replace(`DTEND:${DAY_END}`, 'DTEND:20240603T143000Z');
    const [bob] = [...scheduleResponse((await post(body)).text).values()];
    assert.deepEqual(bob!.busy, ['BUSY 20240603T093000Z/20240603T110000Z', 'BUSY-TENTATIVE 20240603T140000Z/20240603T143000Z']);
  });

  it('refuses what is not a free-busy request from the sender: 403, 400, 501, 415', async () => {
    const wrongOrganizer = await post(appleRequest(['mailto:bob@example.com'], 'mailto:bob@example.com'));
    assert.equal(wrongOrganizer.status, 403, wrongOrganizer.text);
    assert.match(wrongOrganizer.text, /organizer-allowed/);

    const without = (line: RegExp) => appleRequest(['mailto:bob@example.com']).split('\r\n').filter((l) => !line.test(l)).join('\r\n');
    for (const [what, body] of [
      ['no ATTENDEE', without(/^ATTENDEE/)], ['no DTSTART', without(/^DTSTART/)], ['no DTEND', without(/^DTEND/)],
      ['no METHOD', without(/^METHOD/)], ['not iCalendar', 'hello'],
      ['DTEND before DTSTART', appleRequest(['mailto:bob@example.com']).replace(`DTEND:${DAY_END}`, 'DTEND:20240602T000000Z')],
    ]) {
      const r = await post(body!);
      assert.equal(r.status, 400, `${what}: ${r.status} ${r.text}`);
    }

    const reply = await post(appleRequest(['mailto:bob@example.com']).replace('METHOD:REQUEST', 'METHOD:REPLY'));
    assert.equal(reply.status, 501, reply.text);
    const invitation = await post(calendarText([
      'METHOD:REQUEST', 'BEGIN:VEVENT', 'UID:invite', 'DTSTAMP:20240601T000000Z', 'DTSTART:20240603T090000Z', 'DTEND:20240603T100000Z',
      'ORGANIZER:mailto:alice@example.com', 'ATTENDEE:mailto:bob@example.com', 'END:VEVENT',
    ]));
    assert.equal(invitation.status, 501, invitation.text);

    const json = await post('{}', { 'Content-Type': 'application/json' });
    assert.equal(json.status, 415, json.text);
    const othersOutbox = await s.request('POST', '/dav/calendars/bob/outbox/', { body: appleRequest(['mailto:bob@example.com']), headers: { 'Content-Type': 'text/calendar' } });
    assert.equal(othersOutbox.status, 403, 'only the owner posts to an outbox');
    // The outbox holds nothing: saving into it is refused, not answered as a missing parent.
    const into = await s.request('PUT', '/dav/calendars/alice/outbox/x.ics', { body: appleRequest(['mailto:bob@example.com']), headers: { 'Content-Type': 'text/calendar' } });
    assert.equal(into.status, 403, into.text);
    assert.equal((await s.request('GET', '/dav/calendars/alice/outbox/x.ics')).status, 404);
  });

  it('answers at most 100 recipients; the ones past it get 5.1', async () => {
    const attendees = Array.from({ length: 101 }, (_, i) => `mailto:guest${i}@nowhere.example`);
    const r = await post(appleRequest(attendees));
    assert.equal(r.status, 200, r.text);
    const statuses = [...scheduleResponse(r.text).values()].map((a) => a.status.slice(0, 3));
    assert.equal(statuses.length, 101);
    assert.deepEqual([...new Set(statuses.slice(0, 100))], ['3.7']);
    assert.equal(statuses[100], '5.1');
  });

  it('refuses an unbounded expansion instead of cutting it short: 5.1 for that recipient', async () => {
    const minutely = ics('minutely', ['DTSTART:20200101T000000Z', 'DURATION:PT30S', 'RRULE:FREQ=MINUTELY']);
    assert.equal((await s.request('PUT', '/dav/calendars/alice/default/minutely.ics', { body: minutely })).status, 201);
    const body = appleRequest(['mailto:alice@example.com']).replace(`DTEND:${DAY_END}`, 'DTEND:20250603T000000Z');
    const [alice] = [...scheduleResponse((await post(body)).text).values()];
    assert.match(alice!.status, /^5\.1;/);
    const report = await s.request('REPORT', '/dav/calendars/alice/default/', {
      headers: { Depth: '1' }, body: xml(`<C:free-busy-query ${NS}><C:time-range start="${DAY_START}" end="20250603T000000Z"/></C:free-busy-query>`),
    });
    assert.equal(report.status, 507, report.text);
    assert.equal((await s.request('DELETE', '/dav/calendars/alice/default/minutely.ics')).status, 204);
  });

  it('an invitation makes the attendee busy; declining it frees the time', async () => {
    const invitation = ics('lunch', [
      'DTSTART:20240605T100000Z', 'DTEND:20240605T110000Z', 'SUMMARY:Lunch', 'ORGANIZER:mailto:alice@example.com',
      'ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com', 'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com',
    ]);
    assert.equal((await s.request('PUT', '/dav/calendars/alice/default/lunch.ics', { body: invitation })).status, 201);
    const ask = async () => {
      const body = appleRequest(['mailto:bob@example.com']).replace(`DTSTART:${DAY_START}`, 'DTSTART:20240605T090000Z').replace(`DTEND:${DAY_END}`, 'DTEND:20240605T120000Z');
      return [...scheduleResponse((await post(body)).text).values()][0]!.busy;
    };
    assert.deepEqual(await ask(), ['BUSY 20240605T100000Z/20240605T110000Z'], "Bob's copy, delivered by implicit scheduling, is busy time");

    const listing = await asBob('REPORT', `${BOB_HOME}default/`, xml(
      `<C:calendar-query ${NS}><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">` +
      '<C:prop-filter name="UID"><C:text-match collation="i;octet">lunch</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>',
    ), { Depth: '1' });
    const [copy] = [...multistatus(listing.text).values()];
    assert.ok(copy, listing.text);
    // Bob's is the only ATTENDEE still NEEDS-ACTION.
    const declined = propText(copy, c('calendar-data'))!.replace('PARTSTAT=NEEDS-ACTION', 'PARTSTAT=DECLINED');
    assert.match(declined, /PARTSTAT=DECLINED/);
    const put = await asBob('PUT', copy.href, declined, { 'Content-Type': 'text/calendar' });
    assert.ok(put.status === 204 || put.status === 201, `${put.status} ${put.text}`);
    assert.deepEqual(await ask(), [], 'declined');
  });

  it('free-busy-query REPORT: one calendar, as text/calendar', async () => {
    const query = (calendar: string, start = DAY_START, end = DAY_END) => asBob('REPORT', `${BOB_HOME}${calendar}/`,
      xml(`<C:free-busy-query ${NS}><C:time-range start="${start}" end="${end}"/></C:free-busy-query>`), { Depth: '1' });
    const r = await query('default');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^text\/calendar/);
    const vcalendar = new ICAL.Component(ICAL.parse(r.text));
    assert.equal(vcalendar.getFirstPropertyValue('method'), null);
    const fb = vcalendar.getFirstSubcomponent('vfreebusy')!;
    assert.equal(fb.getFirstPropertyValue('dtstart')!.toString(), '2024-06-03T00:00:00Z');
    // Only this calendar: no availability; transparent, cancelled and declined events free.
    assert.deepEqual(busyLines(fb), ['BUSY 20240603T090000Z/20240603T100000Z', 'BUSY 20240603T190000Z/20240603T200000Z']);
    // Asked by name, a transparent calendar still answers for its own events.
    assert.deepEqual(busyLines(new ICAL.Component(ICAL.parse((await query('holidays')).text)).getFirstSubcomponent('vfreebusy')!), ['BUSY 20240603T150000Z/20240603T160000Z']);
    // The daily series on another day: 18:00 Berlin is 16:00Z.
    const tuesday = new ICAL.Component(ICAL.parse((await query('default', '20240604T000000Z', '20240605T000000Z')).text));
    assert.deepEqual(busyLines(tuesday.getFirstSubcomponent('vfreebusy')!), ['BUSY 20240604T160000Z/20240604T163000Z']);

    const noEnd = await asBob('REPORT', `${BOB_HOME}default/`, xml(`<C:free-busy-query ${NS}><C:time-range start="${DAY_START}"/></C:free-busy-query>`));
    assert.equal(noEnd.status, 400, noEnd.text);
    const onInbox = await asBob('REPORT', `${BOB_HOME}inbox/`, xml(`<C:free-busy-query ${NS}><C:time-range start="${DAY_START}" end="${DAY_END}"/></C:free-busy-query>`));
    assert.equal(onInbox.status, 403, 'not a calendar');
  });

  it('schedule-calendar-transp and calendar-availability: stored as set, checked before', async () => {
    const propfind = (path: string, prop: string) => asBob('PROPFIND', path, xml(`<D:propfind ${NS}><D:prop><C:${prop}/></D:prop></D:propfind>`), { Depth: '0' });
    const transp = multistatus((await propfind(`${BOB_HOME}holidays/`, 'schedule-calendar-transp')).text).get(`${BOB_HOME}holidays/`)!;
    assert.deepEqual(transp.props.get(c('schedule-calendar-transp'))!.el.children.map((x) => x.name), [c('transparent')]);
    const stored = propText(multistatus((await propfind(`${BOB_HOME}inbox/`, 'calendar-availability')).text).get(`${BOB_HOME}inbox/`), c('calendar-availability'));
    assert.equal(stored, AVAILABILITY);

    const setTransp = (value: string) => asBob('PROPPATCH', `${BOB_HOME}work/`, xml(
      `<D:propertyupdate ${NS}><D:set><D:prop><C:schedule-calendar-transp>${value}</C:schedule-calendar-transp></D:prop></D:set></D:propertyupdate>`,
    ));
    // Unset, a calendar answers the RFC's default.
    const unset = multistatus((await propfind(`${BOB_HOME}work/`, 'schedule-calendar-transp')).text).get(`${BOB_HOME}work/`)!;
    assert.deepEqual(unset.props.get(c('schedule-calendar-transp'))!.el.children.map((x) => x.name), [c('opaque')]);
    /** A refused PROPPATCH: 207 with the property's own status (RFC 4918 §9.2). */
    const refusedWith = (r: { status: number; text: string }, path: string, name: string) => {
      assert.equal(r.status, 207, r.text);
      return multistatus(r.text).get(path)!.props.get(c(name))!.status;
    };
    assert.equal(refusedWith(await setTransp('<C:sometimes/>'), `${BOB_HOME}work/`, 'schedule-calendar-transp'), 409);
    // MKCALENDAR checks it the same way, and then creates nothing.
    const made = await asBob('MKCALENDAR', `${BOB_HOME}sometimes/`, xml(
      `<C:mkcalendar ${NS}><D:set><D:prop><D:displayname>Sometimes</D:displayname><C:schedule-calendar-transp><C:sometimes/></C:schedule-calendar-transp></D:prop></D:set></C:mkcalendar>`,
    ));
    assert.equal(made.status, 403, made.text);
    assert.equal(parse(made.text).name, c('mkcalendar-response'));
    assert.match(made.text, /<C:schedule-calendar-transp\/><\/D:prop><D:status>HTTP\/1.1 409 /);
    assert.match(made.text, /424 Failed Dependency/);
    assert.equal((await propfind(`${BOB_HOME}sometimes/`, 'schedule-calendar-transp')).status, 404);
    const setAvailability = (value: string) => asBob('PROPPATCH', `${BOB_HOME}inbox/`, xml(
      `<D:propertyupdate ${NS}><D:set><D:prop><C:calendar-availability>${value}</C:calendar-availability></D:prop></D:set></D:propertyupdate>`,
    ));
    for (const bad of [
      'not iCalendar',
      calendarText(['BEGIN:VEVENT', 'UID:x', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240101T000000Z', 'END:VEVENT']),
      AVAILABILITY.replace('UID:weekdays\r\n', ''),
      AVAILABILITY.replace('DTEND;TZID=Europe/Berlin:20240101T180000', 'DTEND;TZID=Europe/Berlin:20240101T070000'),
    ]) {
      const r = await setAvailability(bad);
      assert.equal(refusedWith(r, `${BOB_HOME}inbox/`, 'calendar-availability'), 403, r.text);
      assert.match(r.text, /valid-calendar-data/);
    }
    // Still the value set before.
    assert.equal(propText(multistatus((await propfind(`${BOB_HOME}inbox/`, 'calendar-availability')).text).get(`${BOB_HOME}inbox/`), c('calendar-availability')), AVAILABILITY);

    // Made opaque, the holidays calendar counts.
    assert.equal((await asBob('PROPPATCH', `${BOB_HOME}holidays/`, xml(
      `<D:propertyupdate ${NS}><D:set><D:prop><C:schedule-calendar-transp><C:opaque/></C:schedule-calendar-transp></D:prop></D:set></D:propertyupdate>`,
    ))).status, 207);
    const [bob] = [...scheduleResponse((await post(appleRequest(['mailto:bob@example.com']))).text).values()];
    assert.ok(bob!.busy!.includes('BUSY 20240603T150000Z/20240603T160000Z'), bob!.busy!.join('\n'));
    assert.equal((await asBob('PROPPATCH', `${BOB_HOME}holidays/`, xml(
      `<D:propertyupdate ${NS}><D:set><D:prop><C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp></D:prop></D:set></D:propertyupdate>`,
    ))).status, 207);

    // Without availability, only events make busy time.
    assert.equal((await asBob('PROPPATCH', `${BOB_HOME}inbox/`, xml(
      `<D:propertyupdate ${NS}><D:remove><D:prop><C:calendar-availability/></D:prop></D:remove></D:propertyupdate>`,
    ))).status, 207);
    const [unbounded] = [...scheduleResponse((await post(appleRequest(['mailto:bob@example.com']))).text).values()];
    assert.deepEqual(unbounded!.busy, BOB_BUSY.filter((b) => !b.startsWith('BUSY-UNAVAILABLE')));
  });
});
