// RFC 6638 implicit scheduling between local users: invitations, replies, changes,
// cancellations, SCHEDULE-STATUS and Schedule-Tag, over real HTTP with Apple's and
// Thunderbird's request shapes.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALICE, BOB, startTestServer, type TestServer } from './helpers/server.js';
import {
  addCarol, appleInvitation, CAROL, copyOf, inboxMessages, paramOf, thunderbirdInvitation, valueOf, withParam, withPartstat,
} from './helpers/scheduling.js';
import { c, multistatus, propfindBody, propHref, propText } from './helpers/xml.js';

const ALICE_CAL = '/dav/calendars/alice/default/';
const BOB_MAIL = 'mailto:bob@example.com';
const CAROL_MAIL = 'mailto:carol@example.com';

describe('implicit scheduling between local users', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await addCarol(s);
  });
  after(() => s.close());

  const put = async (path: string, body: string, headers: Record<string, string> = {}, user = undefined as typeof BOB | undefined) => {
    const r = await s.request('PUT', path, { body, headers: { 'Content-Type': 'text/calendar', ...headers }, user });
    assert.ok(r.status === 201 || r.status === 204, `PUT ${path}: ${r.status} ${r.text}`);
    return r;
  };
  const aliceCopy = async (uid: string) => (await s.request('GET', `${ALICE_CAL}${uid}.ics`));

  it('advertises scheduling: DAV header, addresses (mailto first), inbox and outbox', async () => {
    const options = await s.request('OPTIONS', ALICE_CAL);
    assert.match(options.headers.get('DAV') ?? '', /calendar-auto-schedule/);
    assert.match(options.headers.get('DAV') ?? '', /calendar-schedule/);
    const principal = '/dav/principals/alice/';
    const r = await s.request('PROPFIND', principal, {
      headers: { Depth: '0' },
      body: propfindBody('<C:calendar-user-address-set/><C:schedule-inbox-URL/><C:schedule-outbox-URL/><C:calendar-user-type/>'),
    });
    const m = multistatus(r.text).get(principal)!;
    const addresses = m.props.get(c('calendar-user-address-set'))!.el.children.map((h) => h.text.trim());
    assert.deepEqual(addresses, ['mailto:alice@example.com', principal]);
    assert.equal(propHref(m, c('schedule-inbox-URL')), '/dav/calendars/alice/inbox/');
    assert.equal(propText(m, c('calendar-user-type')), 'INDIVIDUAL');
    const inbox = await s.request('PROPFIND', '/dav/calendars/alice/inbox/', { headers: { Depth: '0' }, body: propfindBody('<D:resourcetype/><CS:getctag/>') });
    assert.equal(inbox.status, 207);
    assert.match(inbox.text, /schedule-inbox/);
    assert.ok(propText(multistatus(inbox.text).get('/dav/calendars/alice/inbox/'), `{http://calendarserver.org/ns/}getctag`));
  });

  it('an event without attendees is stored as sent: ETag, no Schedule-Tag', async () => {
    const r = await put(`${ALICE_CAL}plain.ics`, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//x//EN', 'BEGIN:VEVENT', 'UID:plain', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240601T100000Z', 'SUMMARY:Alone', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
    assert.ok(r.headers.get('ETag'));
    assert.equal(r.headers.get('Schedule-Tag'), null);
  });

  it('Alice invites Bob (Apple): Bob gets it in his calendar and a REQUEST in his inbox; he accepts, Alice sees it, her Schedule-Tag unchanged', async () => {
    const uid = 'meeting-1';
    const created = await put(`${ALICE_CAL}${uid}.ics`, appleInvitation({ uid, attendees: [BOB_MAIL] }));
    const aliceTag = created.headers.get('Schedule-Tag');
    assert.ok(aliceTag, 'Schedule-Tag on PUT');
    assert.equal(created.headers.get('ETag'), null, 'the server changed the data: no ETag');
    const alice = await aliceCopy(uid);
    assert.equal(alice.headers.get('Schedule-Tag'), aliceTag);
    const tagProp = await s.request('PROPFIND', ALICE_CAL, { headers: { Depth: '1' }, body: propfindBody('<C:schedule-tag/>') });
    assert.equal(propText(multistatus(tagProp.text).get(`${ALICE_CAL}${uid}.ics`), c('schedule-tag')), aliceTag);
    assert.equal(propText(multistatus(tagProp.text).get(`${ALICE_CAL}plain.ics`), c('schedule-tag')), undefined, 'only scheduling objects have one');
    assert.equal(paramOf(alice.text, BOB_MAIL, 'schedule-status'), '1.2;Delivered');
    assert.equal(paramOf(alice.text, 'mailto:alice@example.com', 'schedule-status'), undefined, 'the organizer does not invite herself');

    const bobCopy = await copyOf(s, BOB, uid);
    assert.ok(bobCopy, 'Bob has the event');
    assert.match(bobCopy.href, /^\/dav\/calendars\/bob\/default\//);
    assert.deepEqual(await inboxMessages(s, BOB, uid), ['REQUEST']);

    const bobGet = await s.request('GET', bobCopy.href, { user: BOB });
    const bobTag = bobGet.headers.get('Schedule-Tag')!;
    assert.ok(bobTag);
    // Apple sends If-Schedule-Tag-Match whenever it holds a tag.
    await put(bobCopy.href, withPartstat(bobGet.text, BOB_MAIL, 'ACCEPTED'), { 'If-Schedule-Tag-Match': bobTag }, BOB);
    const after = await aliceCopy(uid);
    assert.equal(paramOf(after.text, BOB_MAIL, 'partstat'), 'ACCEPTED');
    assert.equal(after.headers.get('Schedule-Tag'), aliceTag, 'a merged reply leaves the organizer\'s Schedule-Tag');
    assert.notEqual(after.headers.get('ETag'), alice.headers.get('ETag'));
    assert.deepEqual(await inboxMessages(s, { name: 'alice', password: 'alice-secret' }, uid), ['REPLY']);
    const bobAfter = await s.request('GET', bobCopy.href, { user: BOB });
    assert.equal(paramOf(bobAfter.text, 'mailto:alice@example.com', 'schedule-status', '', 'organizer'), '1.2;Delivered');

    // Alice moves the meeting, her client holding her (unchanged) tag: Bob's copy moves; her tag changes.
    const moved = withPartstat(appleInvitation({ uid, attendees: [BOB_MAIL], start: '20240610T130000Z', end: '20240610T140000Z', sequence: 1 }), BOB_MAIL, 'NEEDS-ACTION');
    const movedPut = await put(`${ALICE_CAL}${uid}.ics`, moved, { 'If-Schedule-Tag-Match': aliceTag });
    assert.notEqual(movedPut.headers.get('Schedule-Tag'), aliceTag);
    const movedAlice = await aliceCopy(uid);
    assert.equal(paramOf(movedAlice.text, BOB_MAIL, 'partstat'), 'ACCEPTED', 'with If-Schedule-Tag-Match, merged replies stand');
    const bobMoved = await copyOf(s, BOB, uid);
    assert.equal(bobMoved?.href, bobCopy.href, 'the same copy is updated');
    assert.match(valueOf(bobMoved!.data, 'dtstart') ?? '', /T13:00:00/);
    assert.equal(valueOf(bobMoved!.data, 'sequence'), '1');
    assert.deepEqual(await inboxMessages(s, BOB, uid), ['REQUEST', 'REQUEST']);

    // A client holding the old tag is refused.
    const stale = await s.request('PUT', `${ALICE_CAL}${uid}.ics`, { body: moved, headers: { 'If-Schedule-Tag-Match': aliceTag! } });
    assert.equal(stale.status, 412);
    const staleDelete = await s.request('DELETE', bobCopy.href, { user: BOB, headers: { 'If-Schedule-Tag-Match': bobTag } });
    assert.equal(staleDelete.status, 412);
  });

  it('Thunderbird: Alice invites Bob and Carol, then drops Carol: Carol gets a CANCEL and her copy is cancelled', async () => {
    const uid = 'meeting-2';
    await put(`${ALICE_CAL}${uid}.ics`, thunderbirdInvitation({ uid, attendees: [BOB_MAIL, CAROL_MAIL] }));
    const alice = await aliceCopy(uid);
    assert.equal(paramOf(alice.text, BOB_MAIL, 'schedule-status'), '1.2;Delivered');
    assert.equal(paramOf(alice.text, CAROL_MAIL, 'schedule-status'), '1.2;Delivered');
    assert.ok(await copyOf(s, CAROL, uid));

    await put(`${ALICE_CAL}${uid}.ics`, thunderbirdInvitation({ uid, attendees: [BOB_MAIL], sequence: 1 }));
    const methods = (await inboxMessages(s, CAROL, uid)).sort();
    assert.deepEqual(methods, ['CANCEL', 'REQUEST']);
    assert.equal(valueOf((await copyOf(s, CAROL, uid))!.data, 'status'), 'CANCELLED');
    assert.equal(valueOf((await copyOf(s, BOB, uid))!.data, 'status'), undefined);

    // Alice deletes the meeting: Bob is cancelled too.
    assert.equal((await s.request('DELETE', `${ALICE_CAL}${uid}.ics`)).status, 204);
    assert.equal(valueOf((await copyOf(s, BOB, uid))!.data, 'status'), 'CANCELLED');
    assert.ok((await inboxMessages(s, BOB, uid)).includes('CANCEL'));
  });

  it('Bob filing his answer in another calendar moves his copy there (one copy per UID); Alice sees his answer', async () => {
    const uid = 'meeting-filed';
    await put(`${ALICE_CAL}${uid}.ics`, appleInvitation({ uid, attendees: [BOB_MAIL] }));
    const delivered = (await copyOf(s, BOB, uid))!;
    assert.equal((await s.request('MKCALENDAR', '/dav/calendars/bob/work/', { user: BOB })).status, 201);
    await put(`/dav/calendars/bob/work/${uid}.ics`, withPartstat(delivered.data, BOB_MAIL, 'ACCEPTED'), {}, BOB);
    assert.equal((await s.request('GET', delivered.href, { user: BOB })).status, 404);
    assert.equal((await copyOf(s, BOB, uid))!.href, `/dav/calendars/bob/work/${uid}.ics`);
    assert.equal(paramOf((await aliceCopy(uid)).text, BOB_MAIL, 'partstat'), 'ACCEPTED');
    assert.deepEqual(await inboxMessages(s, ALICE, uid), ['REPLY']);
  });

  it('Bob deleting his copy declines', async () => {
    const uid = 'meeting-3';
    await put(`${ALICE_CAL}${uid}.ics`, appleInvitation({ uid, attendees: [BOB_MAIL] }));
    const bobCopy = (await copyOf(s, BOB, uid))!;
    assert.equal((await s.request('DELETE', bobCopy.href, { user: BOB })).status, 204);
    assert.equal(paramOf((await aliceCopy(uid)).text, BOB_MAIL, 'partstat'), 'DECLINED');
  });

  it('a new copy is named <UID>.ics, where python caldav\'s accept_invite() writes the answer; a UID with "/" or a taken name gets another name', async () => {
    const uid = 'named-1@example.com';
    await put(`${ALICE_CAL}named-1.ics`, appleInvitation({ uid, attendees: [BOB_MAIL] }));
    const bobCopy = (await copyOf(s, BOB, uid))!;
    assert.equal(bobCopy.href, `/dav/calendars/bob/default/${uid}.ics`);
    // The library PUTs the answered invitation to <calendar>/<UID>.ics, without preconditions.
    await put(`/dav/calendars/bob/default/${uid}.ics`, withPartstat(bobCopy.data, BOB_MAIL, 'ACCEPTED'), {}, BOB);
    assert.equal(paramOf((await aliceCopy('named-1')).text, BOB_MAIL, 'partstat'), 'ACCEPTED');
    assert.deepEqual(await inboxMessages(s, { name: 'alice', password: 'alice-secret' }, uid), ['REPLY']);

    await put(`${ALICE_CAL}named-2.ics`, appleInvitation({ uid: 'named/2', attendees: [BOB_MAIL] }));
    assert.match((await copyOf(s, BOB, 'named/2'))!.href, /^\/dav\/calendars\/bob\/default\/[0-9a-f-]{36}\.ics$/);
    const own = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//x//EN', 'BEGIN:VEVENT', 'UID:bobs-own', 'DTSTAMP:20240101T000000Z', 'DTSTART:20240601T100000Z', 'SUMMARY:Mine', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    await put('/dav/calendars/bob/default/named-3.ics', own, {}, BOB);
    await put(`${ALICE_CAL}named-3.ics`, appleInvitation({ uid: 'named-3', attendees: [BOB_MAIL] }));
    assert.match((await copyOf(s, BOB, 'named-3'))!.href, /^\/dav\/calendars\/bob\/default\/[0-9a-f-]{36}\.ics$/, 'named-3.ics is Bob\'s own event');
  });

  it('SCHEDULE-STATUS: unknown principal 3.7, outside address without mail server 5.x; what the client wrote is ignored', async () => {
    const uid = 'meeting-4';
    const nobody = '/dav/principals/nobody/';
    const outside = 'mailto:dave@elsewhere.example';
    await put(`${ALICE_CAL}${uid}.ics`, appleInvitation({
      uid, attendees: [BOB_MAIL, nobody, outside], attendeeParams: { [BOB_MAIL]: 'SCHEDULE-STATUS=2.0;' },
    }));
    const alice = (await aliceCopy(uid)).text;
    assert.equal(paramOf(alice, BOB_MAIL, 'schedule-status'), '1.2;Delivered');
    assert.match(paramOf(alice, nobody, 'schedule-status') ?? '', /^3\.7/);
    assert.match(paramOf(alice, outside, 'schedule-status') ?? '', /^5\./);
  });

  it('SCHEDULE-AGENT=CLIENT is left to the client; SCHEDULE-FORCE-SEND sends again and is not stored', async () => {
    const uid = 'meeting-5';
    await put(`${ALICE_CAL}${uid}.ics`, appleInvitation({ uid, attendees: [BOB_MAIL, CAROL_MAIL], attendeeParams: { [CAROL_MAIL]: 'SCHEDULE-AGENT=CLIENT;' } }));
    assert.equal(await copyOf(s, CAROL, uid), undefined);
    assert.equal(paramOf((await aliceCopy(uid)).text, CAROL_MAIL, 'schedule-status'), undefined);
    assert.deepEqual(await inboxMessages(s, BOB, uid), ['REQUEST']);

    // The same data again sends nothing; with SCHEDULE-FORCE-SEND=REQUEST Bob gets it again.
    const stored = (await aliceCopy(uid)).text;
    await put(`${ALICE_CAL}${uid}.ics`, stored);
    assert.deepEqual(await inboxMessages(s, BOB, uid), ['REQUEST']);
    await put(`${ALICE_CAL}${uid}.ics`, withParam(stored, BOB_MAIL, 'schedule-force-send', 'REQUEST'));
    assert.deepEqual(await inboxMessages(s, BOB, uid), ['REQUEST', 'REQUEST']);
    assert.doesNotMatch((await aliceCopy(uid)).text, /SCHEDULE-FORCE-SEND/);
  });

  it('Alice and Bob inviting each other at the same moment both succeed (on PostgreSQL their locks cross)', async () => {
    const meeting = (uid: string, organizer: string, attendee: string) => [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//x//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z',
      'DTSTART:20240612T090000Z', 'DTEND:20240612T100000Z', 'SUMMARY:Crossing', `ORGANIZER:mailto:${organizer}@example.com`,
      `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${attendee}@example.com`, 'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    const rounds = Array.from({ length: 8 }, (_, i) => [
      s.request('PUT', `${ALICE_CAL}crossing-a${i}.ics`, { body: meeting(`crossing-a${i}`, 'alice', 'bob') }),
      s.request('PUT', `/dav/calendars/bob/default/crossing-b${i}.ics`, { body: meeting(`crossing-b${i}`, 'bob', 'alice'), user: BOB }),
    ]).flat();
    for (const r of await Promise.all(rounds)) assert.equal(r.status, 201, r.text);
    assert.ok(await copyOf(s, BOB, 'crossing-a7'));
    assert.ok(await copyOf(s, ALICE, 'crossing-b7'));
  });

  it('one UID is a scheduling object in only one of a user\'s calendars', async () => {
    assert.equal((await s.request('MKCALENDAR', '/dav/calendars/alice/work/')).status, 201);
    const r = await s.request('PUT', '/dav/calendars/alice/work/again.ics', { body: appleInvitation({ uid: 'meeting-3', attendees: [BOB_MAIL] }) });
    assert.equal(r.status, 409);
    assert.match(r.text, /unique-scheduling-object-resource/);
  });

  it('recurring: an attendee on one instance only, a reply for one instance, one instance cancelled', async () => {
    const uid = 'weekly';
    const rid = 'RECURRENCE-ID:20240617T090000Z';
    const body = (extra: string[] = [], sequence = 0) => appleInvitation({
      uid, attendees: [BOB_MAIL], sequence, extra: ['RRULE:FREQ=WEEKLY;COUNT=4', ...extra],
      overrides: [[rid, 'DTSTART:20240617T100000Z', 'DTEND:20240617T110000Z', `SEQUENCE:${sequence}`, 'SUMMARY:Planning (with Carol)',
        'ORGANIZER;CN="Alice Example":mailto:alice@example.com',
        'ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:alice@example.com',
        `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${BOB_MAIL}`, `ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${CAROL_MAIL}`]],
    });
    await put(`${ALICE_CAL}${uid}.ics`, body());
    const carol = (await copyOf(s, CAROL, uid))!;
    assert.ok(carol, 'Carol has her one instance');
    assert.doesNotMatch(carol.data, /RRULE/);
    assert.match(carol.data, /RECURRENCE-ID/);
    const bob = (await copyOf(s, BOB, uid))!;
    assert.match(bob.data, /RRULE/);

    // Bob declines only the first week: Alice's copy gets an override with his answer.
    const reply = bob.data.replace('END:VEVENT', ['END:VEVENT', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240102T000000Z',
      'RECURRENCE-ID:20240610T090000Z', 'DTSTART:20240610T090000Z', 'DTEND:20240610T100000Z', 'SUMMARY:Planning',
      'ORGANIZER:mailto:alice@example.com', `ATTENDEE;PARTSTAT=DECLINED:${BOB_MAIL}`, 'END:VEVENT'].join('\r\n'));
    await put(bob.href, reply, {}, BOB);
    const alice = (await aliceCopy(uid)).text;
    const aliceRid = '2024-06-10T09:00:00Z';
    assert.equal(paramOf(alice, BOB_MAIL, 'partstat', aliceRid), 'DECLINED');
    assert.equal(paramOf(alice, BOB_MAIL, 'partstat'), 'NEEDS-ACTION', 'the series is unchanged');

    // Alice cancels the last week (EXDATE): Bob's copy follows.
    await put(`${ALICE_CAL}${uid}.ics`, body(['EXDATE:20240701T090000Z'], 1));
    assert.match((await copyOf(s, BOB, uid))!.data, /EXDATE:20240701T090000Z/);
  });

  it('a reply names an instance in UTC or in its zone: both reach the same override of a series in Europe/Berlin', async () => {
    const uid = 'berlin-weekly';
    await put(`${ALICE_CAL}${uid}.ics`, appleInvitation({
      uid, attendees: [BOB_MAIL], start: ';TZID=Europe/Berlin:20240610T090000', end: ';TZID=Europe/Berlin:20240610T100000',
      extra: ['RRULE:FREQ=WEEKLY;COUNT=4'],
    }).replace('DTSTART:;', 'DTSTART;').replace('DTEND:;', 'DTEND;'));
    const bob = (await copyOf(s, BOB, uid))!;
    const instance = (rid: string, partstat: string) => bob.data.replace('END:VEVENT', ['END:VEVENT', 'BEGIN:VEVENT', `UID:${uid}`,
      'DTSTAMP:20240102T000000Z', rid, 'DTSTART;TZID=Europe/Berlin:20240617T090000', 'DTEND;TZID=Europe/Berlin:20240617T100000',
      'SUMMARY:Planning', 'ORGANIZER:mailto:alice@example.com', `ATTENDEE;PARTSTAT=${partstat}:${BOB_MAIL}`, 'END:VEVENT'].join('\r\n'));
    await put(bob.href, instance('RECURRENCE-ID;TZID=Europe/Berlin:20240617T090000', 'DECLINED'), {}, BOB);
    const first = (await aliceCopy(uid)).text;
    assert.equal(paramOf(first, BOB_MAIL, 'partstat', '2024-06-17T09:00:00'), 'DECLINED');
    assert.match(first, /DTSTART;TZID=Europe\/Berlin:20240617T090000/);

    await put(bob.href, instance('RECURRENCE-ID:20240617T070000Z', 'TENTATIVE'), {}, BOB);
    const second = (await aliceCopy(uid)).text;
    assert.equal(second.match(/RECURRENCE-ID/g)?.length, 1, 'one override, not two');
    assert.equal(paramOf(second, BOB_MAIL, 'partstat', '2024-06-17T09:00:00'), 'TENTATIVE');
  });
});

describe('schedule-default-calendar-URL', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  const INBOX = '/dav/calendars/bob/inbox/';
  const PRINCIPAL = '/dav/principals/bob/';
  const propertyUpdate = (href: string) =>
    `<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:schedule-default-calendar-URL><D:href>${href}</D:href></C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>`;
  const defaultOf = async (path: string) => {
    const r = await s.request('PROPFIND', path, { user: BOB, headers: { Depth: '0' }, body: propfindBody('<C:schedule-default-calendar-URL/>') });
    return propHref(multistatus(r.text).get(path), c('schedule-default-calendar-URL'));
  };

  it('is the first calendar from the start; set by PROPPATCH on the inbox, shows on inbox and principal, refuses a non-calendar; invitations land there', async () => {
    assert.equal(await defaultOf(INBOX), '/dav/calendars/bob/default/');
    assert.equal(await defaultOf(PRINCIPAL), '/dav/calendars/bob/default/');
    assert.equal((await s.request('MKCALENDAR', '/dav/calendars/bob/meetings/', { user: BOB })).status, 201);
    const set = await s.request('PROPPATCH', INBOX, { user: BOB, body: propertyUpdate('/dav/calendars/bob/meetings/') });
    assert.equal(set.status, 207, set.text);
    assert.doesNotMatch(set.text, /HTTP\/1\.1 4/);
    assert.equal(await defaultOf(INBOX), '/dav/calendars/bob/meetings/');
    assert.equal(await defaultOf(PRINCIPAL), '/dav/calendars/bob/meetings/');

    const refused = await s.request('PROPPATCH', PRINCIPAL, { user: BOB, body: propertyUpdate('/dav/addressbooks/bob/default/') });
    assert.equal(refused.status, 207);
    assert.match(refused.text, /HTTP\/1\.1 403/);
    assert.match(refused.text, /valid-schedule-default-calendar-URL/);
    const inbox = await s.request('PROPPATCH', INBOX, { user: BOB, body: propertyUpdate('/dav/calendars/bob/inbox/') });
    assert.match(inbox.text, /HTTP\/1\.1 403/);
    assert.equal(await defaultOf(INBOX), '/dav/calendars/bob/meetings/');

    const r = await s.request('PUT', `${ALICE_CAL}landing.ics`, { body: appleInvitation({ uid: 'landing', attendees: [BOB_MAIL] }) });
    assert.equal(r.status, 201);
    assert.match((await copyOf(s, BOB, 'landing'))!.href, /^\/dav\/calendars\/bob\/meetings\//);
  });

  it('follows a MOVE of the default calendar and gives way when it is deleted', async () => {
    const moved = await s.request('MOVE', '/dav/calendars/bob/meetings/', { user: BOB, headers: { Destination: `${s.url}dav/calendars/bob/team/` } });
    assert.equal(moved.status, 201, moved.text);
    assert.equal(await defaultOf(INBOX), '/dav/calendars/bob/team/');
    assert.equal((await s.request('DELETE', '/dav/calendars/bob/team/', { user: BOB })).status, 204);
    assert.equal(await defaultOf(INBOX), '/dav/calendars/bob/default/');
  });

  it('the inbox cannot be written to, deleted or moved by a client; its messages can be read and deleted', async () => {
    const put = await s.request('PUT', `${INBOX}x.ics`, { user: BOB, body: appleInvitation({ uid: 'x', attendees: [] }) });
    assert.equal(put.status, 403);
    assert.equal((await s.request('DELETE', INBOX, { user: BOB })).status, 403);
    const move = await s.request('MOVE', INBOX, { user: BOB, headers: { Destination: `${s.url}dav/calendars/bob/elsewhere/` } });
    assert.equal(move.status, 403);
    const sync = await s.request('REPORT', INBOX, {
      user: BOB, headers: { Depth: '1' },
      body: '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>',
    });
    assert.equal(sync.status, 207);
    const message = [...multistatus(sync.text).keys()].find((h) => h.startsWith(INBOX) && h !== INBOX)!;
    assert.ok(message, 'the inbox syncs like a calendar');
    const multiget = await s.request('REPORT', INBOX, {
      user: BOB, headers: { Depth: '1' },
      body: `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><D:href>${message}</D:href></C:calendar-multiget>`,
    });
    assert.match(multiget.text, /METHOD:REQUEST/);
    assert.equal((await s.request('GET', message, { user: BOB })).status, 200);
    assert.equal((await s.request('DELETE', message, { user: BOB })).status, 204);
  });
});
