// tsdav (the JavaScript CalDAV/CardDAV client) against the real server, Basic auth.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDAVClient, DAVNamespaceShort, type DAVCalendar, type DAVCalendarObject } from 'tsdav';
import { ALICE, startTestServer, type TestServer } from '../helpers/server.js';
import { basicAuth, davClasses } from './tools.js';

type Client = Awaited<ReturnType<typeof createDAVClient>>;

const vcal = (body: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Davenport//tsdav interop//EN\r\n${body}END:VCALENDAR\r\n`;

const SIMPLE = vcal(
  'BEGIN:VEVENT\r\nUID:tsdav-simple@example.com\r\nDTSTAMP:20240101T000000Z\r\n' +
    'DTSTART:20240110T120000Z\r\nDTEND:20240110T130000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n',
);
// Mondays 2024-01-01 … 2024-03-04, minus 2024-01-15: 9 instances, 4 of them in January.
const WEEKLY = vcal(
  'BEGIN:VEVENT\r\nUID:tsdav-weekly@example.com\r\nDTSTAMP:20240101T000000Z\r\n' +
    'DTSTART:20240101T100000Z\r\nDTEND:20240101T103000Z\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\n' +
    'EXDATE:20240115T100000Z\r\nSUMMARY:Weekly sync\r\nEND:VEVENT\r\n',
);
const THIRD = vcal(
  'BEGIN:VEVENT\r\nUID:tsdav-third@example.com\r\nDTSTAMP:20240101T000000Z\r\n' +
    'DTSTART:20240120T090000Z\r\nDTEND:20240120T100000Z\r\nSUMMARY:Third\r\nEND:VEVENT\r\n',
);

const JANUARY = { start: '2024-01-01T00:00:00Z', end: '2024-02-01T00:00:00Z' };

const pathOf = (url: string) => new URL(url).pathname;
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe('tsdav: CalDAV', () => {
  let server: TestServer;
  let client: Client;
  let calendar: DAVCalendar;
  let home = '';
  let token0: string | undefined;
  let objects: DAVCalendarObject[] = [];

  before(async () => {
    server = await startTestServer();
    home = `${server.url}dav/calendars/${ALICE.name}/`;
  });
  after(() => server?.close());

  test('login (createDAVClient, Basic) and fetchCalendars finds the default calendar', async () => {
    client = await createDAVClient({
      serverUrl: server.url,
      credentials: { username: ALICE.name, password: ALICE.password },
      authMethod: 'Basic',
      defaultAccountType: 'caldav',
    });
    const calendars = await client.fetchCalendars();
    const found = calendars.find((c) => pathOf(c.url) === `/dav/calendars/${ALICE.name}/default/`);
    assert.ok(found, `default calendar among ${calendars.map((c) => c.url).join(', ')}`);
    assert.ok(found.components?.includes('VEVENT'), `components: ${found.components}`);
    assert.ok(found.syncToken, 'sync-token advertised');
    assert.ok(found.ctag, 'getctag advertised');
    calendar = found;
    token0 = found.syncToken;
  });

  test('createCalendarObject: a simple and a weekly recurring event', async () => {
    for (const [filename, iCalString] of [['simple.ics', SIMPLE], ['weekly.ics', WEEKLY]] as const) {
      const res = await client.createCalendarObject({ calendar, filename, iCalString });
      assert.equal(res.status, 201, `${filename}: ${res.status} ${await res.text()}`);
      assert.ok(res.headers.get('etag'), 'PUT returns the ETag');
    }
  });

  test('fetchCalendarObjects with timeRange (recurring event included, EXDATE and COUNT honoured)', async () => {
    const january = await client.fetchCalendarObjects({ calendar, timeRange: JANUARY });
    assert.deepEqual(january.map((o) => pathOf(o.url)).sort(), [`/dav/calendars/${ALICE.name}/default/simple.ics`, `/dav/calendars/${ALICE.name}/default/weekly.ics`]);
    for (const o of january) assert.ok(o.etag && typeof o.data === 'string' && o.data.includes('BEGIN:VCALENDAR'), `data and etag of ${o.url}`);

    const march = await client.fetchCalendarObjects({ calendar, timeRange: { start: '2024-03-04T09:00:00Z', end: '2024-03-04T11:00:00Z' } });
    assert.deepEqual(march.map((o) => pathOf(o.url)), [`/dav/calendars/${ALICE.name}/default/weekly.ics`], 'the 10th (last) instance');
    const after = await client.fetchCalendarObjects({ calendar, timeRange: { start: '2024-03-05T00:00:00Z', end: '2024-06-01T00:00:00Z' } });
    assert.equal(after.length, 0, 'nothing after COUNT=10');
    const gap = await client.fetchCalendarObjects({ calendar, timeRange: { start: '2024-01-15T09:00:00Z', end: '2024-01-15T11:00:00Z' } });
    assert.equal(gap.length, 0, 'EXDATE 2024-01-15');
  });

  test('fetchCalendarObjects with timeRange and expand: the server returns January instances', async () => {
    const expanded = await client.fetchCalendarObjects({ calendar, timeRange: JANUARY, expand: true });
    const weekly = expanded.find((o) => pathOf(o.url).endsWith('/weekly.ics'));
    assert.ok(weekly, 'weekly event returned');
    const data = String(weekly.data);
    assert.equal(count(data, /^BEGIN:VEVENT/gm), 4, data);
    assert.equal(count(data, /^RRULE/gm), 0, 'expanded: no RRULE');
    assert.equal(count(data, /^RECURRENCE-ID/gm), 4);
  });

  test('syncCollection with the initial token returns the two new objects', async () => {
    assert.ok(token0);
    const res = await client.syncCollection({ url: calendar.url, props: { [`${DAVNamespaceShort.DAV}:getetag`]: {} }, syncLevel: 1, syncToken: token0 });
    const hrefs = res.filter((r) => r.href).map((r) => r.href!).sort();
    assert.deepEqual(hrefs, [`/dav/calendars/${ALICE.name}/default/simple.ics`, `/dav/calendars/${ALICE.name}/default/weekly.ics`]);
    objects = await client.fetchCalendarObjects({ calendar });
    assert.equal(objects.length, 2);
    // The collection as a client has it now, with the token of this state.
    const [now] = (await client.fetchCalendars()).filter((c) => c.url === calendar.url);
    assert.ok(now && now.syncToken && now.syncToken !== token0, 'sync-token moved');
    assert.notEqual(now.ctag, calendar.ctag, 'ctag moved');
    calendar = { ...now, objects, objectMultiGet: client.calendarMultiGet, fetchObjects: (p?: { collection: DAVCalendar }) => client.fetchCalendarObjects({ calendar: p!.collection }) };
  });

  test('updateCalendarObject (If-Match), stale ETag refused with 412', async () => {
    const simple = objects.find((o) => o.url.endsWith('/simple.ics'))!;
    const res = await client.updateCalendarObject({ calendarObject: { ...simple, data: String(simple.data).replace('SUMMARY:Lunch', 'SUMMARY:Lunch (moved)') } });
    assert.equal(res.status, 204, `${res.status} ${await res.text()}`);
    const stale = await client.updateCalendarObject({ calendarObject: { ...simple, data: simple.data } });
    assert.equal(stale.status, 412, 'If-Match with the old ETag');
  });

  test('createCalendarObject + deleteCalendarObject, then smartCollectionSync (webdav and ctag) reports exactly those changes', async () => {
    const created = await client.createCalendarObject({ calendar, filename: 'third.ics', iCalString: THIRD });
    assert.equal(created.status, 201);
    const weekly = objects.find((o) => o.url.endsWith('/weekly.ics'))!;
    const del = await client.deleteCalendarObject({ calendarObject: weekly });
    assert.ok(del.status === 204 || del.status === 200, `DELETE ${del.status}`);

    const synced = await client.smartCollectionSyncDetailed({ collection: calendar, method: 'webdav' });
    const names = (list: { url: string }[]) => list.map((o) => pathOf(o.url).split('/').pop()).sort();
    assert.deepEqual(names(synced.objects.created), ['third.ics']);
    assert.deepEqual(names(synced.objects.updated), ['simple.ics']);
    assert.deepEqual(names(synced.objects.deleted), ['weekly.ics']);
    assert.match(String(synced.objects.updated[0]!.data), /SUMMARY:Lunch \(moved\)/);
    assert.notEqual(synced.syncToken, calendar.syncToken);

    // The same from the ctag (what tsdav does when sync-collection is not used).
    const basic = await client.smartCollectionSyncDetailed({ collection: calendar, method: 'basic' });
    assert.deepEqual(names(basic.objects.created), ['third.ics']);
    assert.deepEqual(names(basic.objects.updated), ['simple.ics']);
    assert.deepEqual(names(basic.objects.deleted), ['weekly.ics']);

    // A raw sync-collection from the very first token (empty calendar): the surviving
    // objects once each; weekly.ics was created and deleted since, so it is either left
    // out or reported as removed (404), never as present.
    const res = await client.syncCollection({ url: calendar.url, props: { [`${DAVNamespaceShort.DAV}:getetag`]: {} }, syncLevel: 1, syncToken: token0 });
    const hrefs = res.filter((r) => r.href).map((r) => r.href!.split('/').pop()!);
    assert.deepEqual(hrefs.filter((h) => h !== 'weekly.ics').sort(), ['simple.ics', 'third.ics']);
    const weeklyRes = res.find((r) => r.href?.endsWith('/weekly.ics'));
    assert.ok(!weeklyRes || weeklyRes.status === 404, `weekly.ics reported as ${weeklyRes?.status}`);
  });

  test('deleteCalendarObject empties the calendar', async () => {
    for (const o of await client.fetchCalendarObjects({ calendar })) {
      const res = await client.deleteCalendarObject({ calendarObject: o });
      assert.ok(res.ok, `DELETE ${o.url}: ${res.status}`);
    }
    assert.equal((await client.fetchCalendarObjects({ calendar })).length, 0);
    assert.ok(home);
  });
});

describe('tsdav: CardDAV', () => {
  let server: TestServer;
  let carddav = false;

  before(async () => {
    server = await startTestServer();
    carddav = (await davClasses(server.url, '/dav/', basicAuth(ALICE.name, ALICE.password))).includes('addressbook');
  });
  after(() => server?.close());

  test('fetchAddressBooks, createVCard, fetchVCards, updateVCard, deleteVCard', async (t) => {
    if (!carddav) {
      t.skip('server does not advertise "addressbook" in the DAV header of OPTIONS /dav/ (CardDAV not implemented yet)');
      return;
    }
    const client = await createDAVClient({
      serverUrl: server.url,
      credentials: { username: ALICE.name, password: ALICE.password },
      authMethod: 'Basic',
      defaultAccountType: 'carddav',
    });
    const books = await client.fetchAddressBooks();
    assert.ok(books.length >= 1, 'at least one address book');
    const book = books[0]!;
    assert.match(pathOf(book.url), new RegExp(`^/dav/addressbooks/${ALICE.name}/[^/]+/$`));
    const vCardString = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:tsdav-card-1\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEMAIL;TYPE=INTERNET:ada@example.com\r\nEND:VCARD\r\n';
    const res = await client.createVCard({ addressBook: book, filename: 'ada.vcf', vCardString });
    assert.equal(res.status, 201, `${res.status} ${await res.text()}`);
    const cards = await client.fetchVCards({ addressBook: book });
    const ada = cards.find((c) => c.url.endsWith('/ada.vcf'));
    assert.ok(ada, `ada.vcf among ${cards.map((c) => c.url).join(', ')}`);
    assert.ok(ada.etag);
    assert.match(String(ada.data), /FN:Ada Lovelace/);

    const upd = await client.updateVCard({ vCard: { ...ada, data: String(ada.data).replace('FN:Ada Lovelace', 'FN:Ada King') } });
    assert.equal(upd.status, 204, `${upd.status} ${await upd.text()}`);
    const stale = await client.updateVCard({ vCard: ada });
    assert.equal(stale.status, 412, 'If-Match with the old ETag');
    const [now] = await client.fetchVCards({ addressBook: book, objectUrls: [ada.url] });
    assert.match(String(now?.data), /FN:Ada King/);
    const del = await client.deleteVCard({ vCard: now! });
    assert.ok(del.ok, `DELETE ${del.status}`);
    assert.equal((await client.fetchVCards({ addressBook: book })).filter((c) => c.url.endsWith('/ada.vcf')).length, 0);
  });
});
