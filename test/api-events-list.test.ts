import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { calendar_v3 } from '@googleapis/calendar';
import { googleCalendar } from './helpers/google.js';
import { event, ics } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// events.list as Google's own client sees it: paging, incremental sync, expansion,
// ordering and filters, over data written by CalDAV.

const EVENTS = '/calendar/v3/calendars/primary/events';

describe('JSON API: events.list', () => {
  let s: TestServer;
  let g: calendar_v3.Calendar;
  before(async () => {
    s = await startTestServer();
    g = googleCalendar(s);
  });
  after(() => s.close());

  const put = async (calendar: string, name: string, body: string) => {
    const r = await s.request('PUT', `/dav/calendars/alice/${calendar}/${name}.ics`, { body });
    assert.ok(r.status === 201 || r.status === 204, r.text);
  };
  const mkcalendar = async (name: string) => assert.equal((await s.request('MKCALENDAR', `/dav/calendars/alice/${name}/`)).status, 201);
  const getJson = async (path: string) => {
    const r = await s.request('GET', path);
    return { status: r.status, body: JSON.parse(r.text) as { error: { code: number; errors: { reason: string; location?: string }[] } } };
  };

  it('pages a full listing with nextPageToken and gives nextSyncToken only on the last page', async () => {
    await mkcalendar('paging');
    for (const n of [1, 2, 3, 4, 5]) await put('paging', `e${n}`, event(`paging-${n}`, `2024020${n}T100000Z`, `2024020${n}T110000Z`));
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    let syncToken: string | null | undefined;
    do {
      const { data } = await g.events.list({ calendarId: 'paging', maxResults: 2, ...(pageToken ? { pageToken } : {}) });
      pages++;
      assert.equal(data.kind, 'calendar#events');
      assert.equal(data.accessRole, 'owner');
      ids.push(...data.items!.map((e) => e.iCalUID!));
      pageToken = data.nextPageToken ?? undefined;
      if (pageToken) assert.equal(data.nextSyncToken, undefined);
      else syncToken = data.nextSyncToken;
    } while (pageToken);
    assert.equal(pages, 3);
    assert.deepEqual(ids.sort(), ['paging-1', 'paging-2', 'paging-3', 'paging-4', 'paging-5']);
    assert.ok(syncToken);

    // A change made while paging is not lost: the last page's token predates it.
    const first = await g.events.list({ calendarId: 'paging', maxResults: 2 });
    await put('paging', 'e6', event('paging-6', '20240206T100000Z', '20240206T110000Z'));
    let token = first.data.nextPageToken!;
    let last: calendar_v3.Schema$Events;
    for (;;) {
      last = (await g.events.list({ calendarId: 'paging', maxResults: 2, pageToken: token })).data;
      if (!last.nextPageToken) break;
      token = last.nextPageToken;
    }
    const delta = await g.events.list({ calendarId: 'paging', syncToken: last.nextSyncToken! });
    assert.ok(delta.data.items!.some((e) => e.iCalUID === 'paging-6'));
  });

  it('syncs incrementally: CalDAV creates, changes and deletes show up, deletions as cancelled', async () => {
    await mkcalendar('sync');
    await put('sync', 'keep', event('keep', '20240301T100000Z', '20240301T110000Z'));
    await put('sync', 'change', event('change', '20240302T100000Z', '20240302T110000Z'));
    await put('sync', 'gone', event('gone', '20240303T100000Z', '20240303T110000Z'));
    const full = await g.events.list({ calendarId: 'sync' });
    const ids = new Map(full.data.items!.map((e) => [e.iCalUID!, e.id!]));
    assert.equal(ids.size, 3);

    await put('sync', 'new', event('new', '20240304T100000Z', '20240304T110000Z'));
    await put('sync', 'change', event('change', '20240302T120000Z', '20240302T130000Z'));
    assert.equal((await s.request('DELETE', '/dav/calendars/alice/sync/gone.ics')).status, 204);
    const delta = await g.events.list({ calendarId: 'sync', syncToken: full.data.nextSyncToken! });
    const byId = new Map(delta.data.items!.map((e) => [e.id!, e]));
    assert.equal(byId.size, 3);
    assert.equal(byId.get(ids.get('change')!)!.start!.dateTime, '2024-03-02T12:00:00Z');
    assert.deepEqual(byId.get(ids.get('gone')!), { kind: 'calendar#event', etag: byId.get(ids.get('gone')!)!.etag, id: ids.get('gone'), status: 'cancelled' });
    assert.ok([...byId.values()].some((e) => e.iCalUID === 'new'));
    assert.ok(!byId.has(ids.get('keep')!));

    // Nothing changed: nothing listed, the same token back.
    const none = await g.events.list({ calendarId: 'sync', syncToken: delta.data.nextSyncToken! });
    assert.equal(none.data.items!.length, 0);
    assert.equal(none.data.nextSyncToken, delta.data.nextSyncToken);

    // The CalDAV sync token is the same token: a program may switch protocols without a full sync.
    const propfind = await s.request('PROPFIND', '/dav/calendars/alice/sync/', { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>' });
    const caldavToken = /<D:sync-token>([^<]+)<\/D:sync-token>/.exec(propfind.text)![1]!;
    assert.equal(caldavToken, delta.data.nextSyncToken);
    assert.equal((await g.events.list({ calendarId: 'sync', syncToken: caldavToken })).data.items!.length, 0);

    // A token of another calendar is refused like an expired one.
    const other = await getJson(`${EVENTS}?syncToken=${encodeURIComponent(delta.data.nextSyncToken!)}`);
    assert.equal(other.status, 410);
  });

  it('answers a bogus sync token with Google\'s exact 410 body', async () => {
    const r = await s.request('GET', `${EVENTS}?syncToken=bogus`);
    assert.equal(r.status, 410);
    assert.match(r.headers.get('content-type')!, /application\/json/);
    assert.equal(
      r.text,
      '{"error":{"errors":[{"domain":"calendar","reason":"fullSyncRequired","message":"Sync token is no longer valid, a full sync is required.","locationType":"parameter","location":"syncToken"}],"code":410,"message":"Sync token is no longer valid, a full sync is required."}}',
    );
  });

  it('refuses a sync token with other restrictions (400)', async () => {
    const { data } = await g.events.list({ calendarId: 'primary' });
    const r = await getJson(`${EVENTS}?syncToken=${encodeURIComponent(data.nextSyncToken!)}&timeMin=2024-01-01T00:00:00Z`);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.errors[0]!.reason, 'syncTokenWithRequestRestrictions');
  });

  it('expands series with singleEvents: instances, an override, an EXDATE, orderBy startTime', async () => {
    await mkcalendar('series');
    const series = ics('weekly', [
      'DTSTART;TZID=Europe/Berlin:20240105T090000', 'DTEND;TZID=Europe/Berlin:20240105T100000', 'SUMMARY:Weekly',
      'RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=Europe/Berlin:20240119T090000',
    ]).replace('END:VEVENT', [
      'END:VEVENT', 'BEGIN:VEVENT', 'UID:weekly', 'DTSTAMP:20240101T000000Z', 'RECURRENCE-ID;TZID=Europe/Berlin:20240112T090000',
      'DTSTART;TZID=Europe/Berlin:20240112T140000', 'DTEND;TZID=Europe/Berlin:20240112T150000', 'SUMMARY:Moved', 'END:VEVENT',
    ].join('\r\n'));
    await put('series', 'weekly', series);
    await put('series', 'single', event('single', '20240110T080000Z', '20240110T083000Z'));

    const grouped = await g.events.list({ calendarId: 'series' });
    const master = grouped.data.items!.find((e) => e.iCalUID === 'weekly' && !e.recurringEventId)!;
    assert.deepEqual(master.recurrence, ['RRULE:FREQ=WEEKLY;COUNT=4', 'EXDATE;TZID=Europe/Berlin:20240119T090000']);
    assert.equal(master.start!.timeZone, 'Europe/Berlin');
    const exception = grouped.data.items!.find((e) => e.recurringEventId === master.id)!;
    assert.equal(exception.summary, 'Moved');

    const { data } = await g.events.list({ calendarId: 'series', singleEvents: true, orderBy: 'startTime' });
    assert.deepEqual(data.items!.map((e) => [e.summary, e.start!.dateTime]), [
      ['Weekly', '2024-01-05T09:00:00+01:00'],
      ['Event single', '2024-01-10T08:00:00Z'],
      ['Moved', '2024-01-12T14:00:00+01:00'],
      ['Weekly', '2024-01-26T09:00:00+01:00'],
    ]);
    const moved = data.items![2]!;
    assert.equal(moved.id, `${master.id}_20240112T080000Z`);
    assert.equal(moved.recurringEventId, master.id);
    assert.deepEqual(moved.originalStartTime, { dateTime: '2024-01-12T09:00:00+01:00', timeZone: 'Europe/Berlin' });
    assert.equal(data.items![0]!.recurrence, undefined);

    const withDeleted = await g.events.list({ calendarId: 'series', singleEvents: true, showDeleted: true });
    const cancelled = withDeleted.data.items!.filter((e) => e.status === 'cancelled');
    assert.deepEqual(cancelled.map((e) => e.id), [`${master.id}_20240119T080000Z`]);

    // orderBy startTime needs singleEvents
    assert.equal((await getJson('/calendar/v3/calendars/series/events?orderBy=startTime')).status, 400);
  });

  it('filters by timeMin/timeMax (overlap, open-ended series bounded) and by q', async () => {
    await mkcalendar('window');
    await put('window', 'daily', ics('daily', ['DTSTART:20240101T120000Z', 'DTEND:20240101T130000Z', 'SUMMARY:Lunch', 'RRULE:FREQ=DAILY']));
    await put('window', 'weekly', ics('weekly', ['DTSTART:20240101T150000Z', 'DTEND:20240101T160000Z', 'SUMMARY:Review', 'RRULE:FREQ=WEEKLY']));
    await put('window', 'long', event('long', '20240301T000000Z', '20240310T000000Z', ['LOCATION:Conference Hall', 'ATTENDEE;CN=Carol:mailto:carol@example.com']));
    await put('window', 'task', ics('task', ['DUE:20240305T100000Z', 'SUMMARY:A task'], 'VTODO'));

    const { data } = await g.events.list({
      calendarId: 'window', singleEvents: true, timeMin: '2024-03-05T00:00:00Z', timeMax: '2024-03-07T00:00:00+00:00', orderBy: 'startTime',
    });
    assert.deepEqual(data.items!.map((e) => [e.iCalUID, e.start!.dateTime]), [
      ['long', '2024-03-01T00:00:00Z'],
      ['daily', '2024-03-05T12:00:00Z'],
      ['daily', '2024-03-06T12:00:00Z'],
    ]);
    assert.equal(data.items![1]!.id, `${data.items![2]!.recurringEventId}_20240305T120000Z`);
    const grouped = await g.events.list({ calendarId: 'window', timeMin: '2024-03-09T23:00:00Z', timeMax: '2024-03-10T01:00:00Z' });
    assert.deepEqual(grouped.data.items!.map((e) => e.iCalUID).sort(), ['long']);
    const series = await g.events.list({ calendarId: 'window', timeMin: '2024-03-09T11:00:00Z', timeMax: '2024-03-10T13:00:00+01:00' });
    assert.deepEqual(series.data.items!.map((e) => e.iCalUID).sort(), ['daily', 'long']);

    // Without timeMax an endless series stops at a horizon instead of running forever.
    const open = await g.events.list({ calendarId: 'window', singleEvents: true, q: 'review', maxResults: 2500 });
    const weeks = open.data.items!.length;
    assert.ok(weeks > 5 * 52 && weeks < 10 * 52, String(weeks));
    assert.equal(open.data.nextPageToken, undefined);

    const q = await g.events.list({ calendarId: 'window', q: 'CAROL  hall' });
    assert.deepEqual(q.data.items!.map((e) => e.iCalUID), ['long']);

    const r = await getJson('/calendar/v3/calendars/window/events?timeMin=2024-03-05T00:00:00');
    assert.equal(r.status, 400);
    assert.equal(r.body.error.errors[0]!.location, 'timeMin');
  });

  it('lists changed events with updatedMin and the one event with iCalUID', async () => {
    await mkcalendar('filters');
    await put('filters', 'a', event('uid-a', '20240401T100000Z', '20240401T110000Z'));
    await new Promise((r) => setTimeout(r, 20));
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await put('filters', 'b', event('uid-b', '20240402T100000Z', '20240402T110000Z'));
    const changed = await g.events.list({ calendarId: 'filters', updatedMin: before });
    assert.deepEqual(changed.data.items!.map((e) => e.iCalUID), ['uid-b']);
    const one = await g.events.list({ calendarId: 'filters', iCalUID: 'uid-a' });
    assert.deepEqual(one.data.items!.map((e) => e.iCalUID), ['uid-a']);
  });

  it('refuses bad list parameters with 400 JSON', async () => {
    for (const query of ['maxResults=0', 'maxResults=abc', 'singleEvents=yes', 'orderBy=random', 'pageToken=nonsense', 'timeMax=tomorrow', 'timeMin=2024-02-01T00:00:00Z&timeMax=2024-01-01T00:00:00Z']) {
      const r = await getJson(`${EVENTS}?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.error.code, 400, query);
    }
    // Google clamps maxResults rather than refusing it.
    assert.equal((await s.request('GET', `${EVENTS}?maxResults=100000`)).status, 200);
  });

  // Last: pruning forgets the change log of every calendar on this server.
  it('a sync token older than the change log keeps is 410 fullSyncRequired; a full sync starts over', async () => {
    await mkcalendar('pruned');
    await put('pruned', 'before', event('before', '20240401T100000Z', '20240401T110000Z'));
    const old = (await g.events.list({ calendarId: 'pruned' })).data.nextSyncToken!;
    await put('pruned', 'after', event('after', '20240402T100000Z', '20240402T110000Z'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok((await s.store.pruneChanges(Date.now())) > 0);
    const r = await s.request('GET', `/calendar/v3/calendars/pruned/events?syncToken=${encodeURIComponent(old)}`);
    assert.equal(r.status, 410);
    assert.equal(JSON.parse(r.text).error.errors[0].reason, 'fullSyncRequired');
    const again = await g.events.list({ calendarId: 'pruned' });
    assert.deepEqual(again.data.items!.map((e) => e.iCalUID).sort(), ['after', 'before']);
    assert.ok(again.data.nextSyncToken);
  });
});
