// Public read-only calendar links (src/feeds): a secret /feeds/<token>.ics URL served
// without sign-in as the calendar's export, with ETag revalidation; revoked, unknown,
// or of a disabled owner: 404. On the suite's engine, over real HTTP.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Accounts } from '../src/accounts/index.js';
import { createFeedLink, FeedError, listFeedLinks, revokeFeedLink, webcalUrl } from '../src/feeds/index.js';
import type { Collection } from '../src/store/types.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const EVENT = (uid: string, summary: string) =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:${uid}\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240601T100000Z\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

describe('public calendar feeds', () => {
  let s: TestServer;
  let calendar: Collection;
  let origin: string;
  before(async () => {
    s = await startTestServer();
    origin = s.url.replace(/\/$/, '');
    const alice = (await s.store.getUser('alice'))!;
    calendar = (await s.store.getCollection(alice.id, 'calendar', 'default'))!;
    assert.equal((await s.request('PUT', '/dav/calendars/alice/default/e1.ics', { body: EVENT('e1', 'Public talk') })).status, 201);
  });
  after(() => s.close());

  /** A GET nobody signed in to: no Authorization header. */
  const anonymous = (url: string, headers: Record<string, string> = {}, method = 'GET') => fetch(url, { method, headers, redirect: 'manual' });

  it('a new link serves the calendar without sign-in, as text/calendar, with a webcal:// form', async () => {
    const link = await createFeedLink(s.store, calendar, origin);
    assert.match(link.url, new RegExp(`^${origin}/feeds/[A-Za-z0-9_-]{32}\\.ics$`));
    assert.equal(link.webcalUrl, link.url.replace(/^http:/, 'webcal:'));
    assert.equal(webcalUrl('https://cal.example.com/feeds/x.ics'), 'webcal://cal.example.com/feeds/x.ics');
    const r = await anonymous(link.url);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/calendar/);
    assert.equal(r.headers.get('www-authenticate'), null);
    const body = await r.text();
    assert.match(body, /^BEGIN:VCALENDAR\r\n/);
    assert.match(body, /SUMMARY:Public talk/);
    assert.match(body, /X-WR-CALNAME:Calendar/);
    assert.deepEqual((await listFeedLinks(s.store, calendar, origin)).map((l) => l.url), [link.url]);
  });

  it('leaves out private events and reminders, and shows confidential ones only as busy time', async () => {
    const cal = '/dav/calendars/alice/public-view/';
    assert.equal((await s.request('MKCALENDAR', cal)).status, 201);
    const alarm = 'BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n';
    const withClass = (uid: string, access: string) =>
      EVENT(uid, `Secret ${uid}`).replace('SUMMARY', `CLASS:${access}\r\nLOCATION:Room ${uid}\r\nDESCRIPTION:About ${uid}\r\n${alarm}SUMMARY`);
    const objects = { open: EVENT('open', 'Open day').replace('END:VEVENT', `${alarm}END:VEVENT`), mine: withClass('mine', 'PRIVATE'), board: withClass('board', 'CONFIDENTIAL'), odd: withClass('odd', 'X-FAMILY') };
    for (const [name, body] of Object.entries(objects)) assert.equal((await s.request('PUT', `${cal}${name}.ics`, { body })).status, 201);
    const shared = (await s.store.getCollection((await s.store.getUser('alice'))!.id, 'calendar', 'public-view'))!;
    const body = await (await anonymous((await createFeedLink(s.store, shared, origin)).url)).text();
    assert.match(body, /SUMMARY:Open day/);
    assert.doesNotMatch(body, /mine|odd/, 'PRIVATE, and a class not understood, are left out');
    assert.match(body, /UID:board\r\n[^]*DTSTART:20240601T100000Z[^]*SUMMARY:Busy/);
    assert.doesNotMatch(body, /Secret|Room|About|VALARM|Reminder/);
    // The owner's own export keeps everything.
    const own = (await s.request('GET', cal)).text;
    for (const kept of ['Secret mine', 'Secret board', 'Secret odd', 'BEGIN:VALARM']) assert.ok(own.includes(kept), kept);
  });

  it('answers 304 to If-None-Match until the calendar changes; HEAD has the headers', async () => {
    const link = await createFeedLink(s.store, calendar, origin);
    const first = await anonymous(link.url);
    const etag = first.headers.get('etag')!;
    assert.ok(etag);
    assert.equal((await anonymous(link.url, { 'If-None-Match': etag })).status, 304);
    const head = await anonymous(link.url, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
    assert.equal(await head.text(), '');
    assert.equal((await s.request('PUT', '/dav/calendars/alice/default/e2.ics', { body: EVENT('e2', 'Another talk') })).status, 201);
    const changed = await anonymous(link.url, { 'If-None-Match': etag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.match(await changed.text(), /SUMMARY:Another talk/);
  });

  it('a revoked link, an unknown token or a malformed feed path is 404; writing is 405', async () => {
    const link = await createFeedLink(s.store, calendar, origin);
    assert.equal((await anonymous(link.url)).status, 200);
    assert.equal(await revokeFeedLink(s.store, calendar, link.id), true);
    assert.equal((await anonymous(link.url)).status, 404);
    assert.equal(await revokeFeedLink(s.store, calendar, link.id), false, 'gone already');
    assert.ok(!(await listFeedLinks(s.store, calendar, origin)).some((l) => l.id === link.id));
    assert.equal((await anonymous(`${origin}/feeds/${'A'.repeat(32)}.ics`)).status, 404);
    assert.equal((await anonymous(`${origin}/feeds/short.ics`)).status, 404);
    const other = await createFeedLink(s.store, calendar, origin);
    const put = await anonymous(other.url, {}, 'PUT');
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD');
  });

  it('a disabled owner\'s links answer 404 until enabled; deleting the calendar deletes its links', async () => {
    const accounts = new Accounts(s.server.dav, 8);
    await accounts.create({ name: 'pat', password: 'pat-secret-1' });
    const pat = (await s.store.getUser('pat'))!;
    const patCalendar = (await s.store.getCollection(pat.id, 'calendar', 'default'))!;
    const link = await createFeedLink(s.store, patCalendar, origin);
    assert.equal((await anonymous(link.url)).status, 200);
    await accounts.setDisabled('pat', true);
    assert.equal((await anonymous(link.url)).status, 404);
    await accounts.setDisabled('pat', false);
    assert.equal((await anonymous(link.url)).status, 200);
    const user = { name: 'pat', password: 'pat-secret-1' };
    assert.equal((await s.request('DELETE', '/dav/calendars/pat/default/', { user })).status, 204);
    assert.equal((await anonymous(link.url)).status, 404);
    assert.equal(await s.store.getFeedLink(link.token), undefined);
  });

  it('only calendars have links', async () => {
    const alice = (await s.store.getUser('alice'))!;
    const book = (await s.store.getCollection(alice.id, 'addressbook', 'default'))!;
    await assert.rejects(createFeedLink(s.store, book, origin), FeedError);
  });
});
