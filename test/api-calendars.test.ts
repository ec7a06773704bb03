import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calendar } from '@googleapis/calendar';
import { eventIdOfUri } from '../src/api/event-ids.js';
import { issueAppPassword } from '../src/http/auth.js';
import { googleCalendar, statusOf } from './helpers/google.js';
import { event, ics } from './helpers/ics.js';
import { BOB, startTestServer, type TestServer } from './helpers/server.js';

// calendarList, calendars.get, sign-in and isolation of the JSON API.

describe('JSON API: calendars, sign-in and isolation', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('lists the user\'s calendars with the primary one marked; calendars.get and calendarList.get', async () => {
    const g = googleCalendar(s);
    const body = '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Work</D:displayname><A:calendar-color>#FF8800FF</A:calendar-color></D:prop></D:set></C:mkcalendar>';
    assert.equal((await s.request('MKCALENDAR', '/dav/calendars/alice/work/', { body })).status, 201);
    const { data } = await g.calendarList.list();
    assert.equal(data.kind, 'calendar#calendarList');
    const byId = new Map(data.items!.map((c) => [c.id!, c]));
    assert.equal(byId.get('default')!.primary, true);
    assert.equal(byId.get('work')!.summary, 'Work');
    assert.equal(byId.get('work')!.backgroundColor, '#ff8800');
    assert.equal(byId.get('work')!.accessRole, 'owner');
    assert.equal((await g.calendarList.get({ calendarId: 'primary' })).data.id, 'default');
    const work = await g.calendars.get({ calendarId: 'work' });
    assert.equal(work.data.kind, 'calendar#calendar');
    assert.equal(work.data.summary, 'Work');
    assert.equal(work.data.timeZone, 'UTC');
  });

  it('signs in with an app password as a Bearer token; 401 in Google\'s shape otherwise', async () => {
    const alice = (await s.store.getUser('alice'))!;
    const token = (await issueAppPassword(s.store, alice, 'google-client'))!;
    const g = calendar({ version: 'v3', rootUrl: s.url, headers: { Authorization: `Bearer ${token}` }, retry: false });
    assert.ok((await g.calendarList.list()).data.items!.length > 0);

    const r = await s.request('GET', '/calendar/v3/users/me/calendarList', { user: null });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate')!, /Bearer realm="Davenport"/);
    assert.equal((JSON.parse(r.text) as { error: { code: number } }).error.code, 401);
    const wrong = calendar({ version: 'v3', rootUrl: s.url, headers: { Authorization: 'Bearer dp_1_1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, retry: false });
    assert.equal(await statusOf(wrong.calendarList.list()), 401);
  });

  it('keeps users apart: bob sees only his own calendars and events', async () => {
    assert.equal((await s.request('PUT', '/dav/calendars/alice/default/secret.ics', { body: event('secret', '20240101T100000Z', '20240101T110000Z') })).status, 201);
    const bob = googleCalendar(s, BOB);
    assert.equal(await statusOf(bob.calendars.get({ calendarId: 'work' })), 404);
    assert.equal(await statusOf(bob.events.list({ calendarId: 'work' })), 404);
    const mine = await bob.events.list({ calendarId: 'primary' });
    assert.equal(mine.data.items!.length, 0);
    const alices = (await googleCalendar(s).events.list({ calendarId: 'primary' })).data.items!.find((e) => e.iCalUID === 'secret')!;
    assert.equal(await statusOf(bob.events.get({ calendarId: 'primary', eventId: alices.id! })), 404);
    assert.equal(await statusOf(bob.events.delete({ calendarId: 'primary', eventId: alices.id! })), 404);
  });

  it('is no way into address books, tasks or unknown paths', async () => {
    const g = googleCalendar(s);
    const book = '<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>';
    assert.equal((await s.request('MKCOL', '/dav/addressbooks/alice/friends/', { body: book, headers: { 'Content-Type': 'application/xml' } })).status, 201);
    assert.equal(await statusOf(g.events.list({ calendarId: 'friends' })), 404);
    assert.equal(await statusOf(g.calendars.get({ calendarId: 'friends' })), 404);
    assert.ok(!(await g.calendarList.list()).data.items!.some((c) => c.id === 'friends'));
    assert.equal(await statusOf(g.calendars.get({ calendarId: 'inbox' })), 404);
    assert.equal((await s.request('PUT', '/dav/calendars/alice/default/todo.ics', { body: ics('todo', ['DUE:20240101T100000Z', 'SUMMARY:Task'], 'VTODO') })).status, 201);
    const { data } = await g.events.list({ calendarId: 'primary' });
    assert.ok(!data.items!.some((e) => e.iCalUID === 'todo'));
    assert.equal(await statusOf(g.events.get({ calendarId: 'primary', eventId: eventIdOfUri('todo.ics') })), 404);
    const r = await s.request('GET', '/calendar/v3/nothing/here');
    assert.equal(r.status, 404);
    assert.equal((JSON.parse(r.text) as { error: { errors: { reason: string }[] } }).error.errors[0]!.reason, 'notFound');
  });

  it('a JSON body over 1 MiB is 413 in Google\'s shape, declared or streamed, and the connection keeps serving', async () => {
    const big = JSON.stringify({ summary: 'x'.repeat(1024 * 1024 + 1) });
    const declared = await s.request('POST', '/calendar/v3/calendars/primary/events', { body: big, headers: { 'Content-Type': 'application/json' } });
    assert.equal(declared.status, 413);
    assert.equal(JSON.parse(declared.text).error.errors[0].reason, 'requestTooLarge');
    const chunks = (async function* () {
      for (let i = 0; i < 20; i++) yield Buffer.from(big.slice(i * 60_000, (i + 1) * 60_000));
    })();
    const auth = `Basic ${Buffer.from('alice:alice-secret').toString('base64')}`;
    const streamed = await fetch(new URL('/calendar/v3/calendars/primary/events', s.url), {
      method: 'POST', body: chunks as unknown as BodyInit, headers: { Authorization: auth, 'Content-Type': 'application/json' }, duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal((await streamed.json()).error.code, 413);
    assert.equal((await s.request('GET', '/calendar/v3/users/me/calendarList')).status, 200);
  });
});
