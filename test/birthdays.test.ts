// The birthday calendar (issue 12): generated from the user's address books, kept
// current by every write of a card, read-only to clients, turned on and off by
// setBirthdayCalendar (the web UI's checkbox).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { FILL_BATCH } from '../src/birthdays/fill.js';
import { hasBirthdayCalendar, setBirthdayCalendar } from '../src/birthdays/index.js';
import type { User } from '../src/store/types.js';
import { event } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { c, calendarQuery, d, multistatus, propfindBody, propText, syncTokenOf } from './helpers/xml.js';

const BOOK = '/dav/addressbooks/alice/default/';
const WORK_BOOK = '/dav/addressbooks/alice/work/';
const CAL_HOME = '/dav/calendars/alice/';
const BIRTHDAYS = `${CAL_HOME}birthdays/`;
const VCARD = { 'Content-Type': 'text/vcard; charset=utf-8' };

function card(uid: string, version: '3.0' | '4.0', lines: string[]): string {
  return ['BEGIN:VCARD', `VERSION:${version}`, `UID:${uid}`, ...lines, 'END:VCARD', ''].join('\r\n');
}

/** The events of the birthday calendar: href → { summary, dtstart, rrule, transp }. */
interface Shown {
  summary: string;
  dtstart: string;
  rrule: string;
  transp: string;
  uid: string;
}

describe('birthday calendar', () => {
  let s: TestServer;
  let alice: User;
  before(async () => {
    s = await startTestServer();
    alice = (await s.store.getUser('alice'))!;
  });
  after(() => s.close());

  const put = async (path: string, body: string, headers: Record<string, string> = VCARD) => {
    const r = await s.request('PUT', path, { body, headers });
    assert.ok(r.status === 201 || r.status === 204, `${path}: ${r.status} ${r.text}`);
  };
  const events = async (): Promise<Map<string, Shown>> => {
    const r = await s.request('REPORT', BIRTHDAYS, { headers: { Depth: '1' }, body: calendarQuery('<C:comp-filter name="VEVENT"/>', '<D:getetag/><C:calendar-data/>') });
    assert.equal(r.status, 207, r.text);
    const out = new Map<string, Shown>();
    for (const [href, m] of multistatus(r.text)) {
      const vevent = ICAL.Component.fromString(propText(m, c('calendar-data'))!).getFirstSubcomponent('vevent')!;
      out.set(href, {
        summary: String(vevent.getFirstPropertyValue('summary')),
        dtstart: String(vevent.getFirstPropertyValue('dtstart')),
        rrule: String(vevent.getFirstPropertyValue('rrule')),
        transp: String(vevent.getFirstPropertyValue('transp')),
        uid: String(vevent.getFirstPropertyValue('uid')),
      });
    }
    return out;
  };
  const bySummary = async () => new Map([...(await events()).values()].map((e) => [e.summary, e]));
  const token = async (path: string) => {
    const r = await s.request('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<D:sync-token/>') });
    return propText(multistatus(r.text).get(path), d('sync-token'))!;
  };
  const changedSince = async (since: string) => {
    const body = `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${since}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
    const r = await s.request('REPORT', BIRTHDAYS, { headers: { Depth: '1' }, body });
    assert.equal(r.status, 207, r.text);
    return { token: syncTokenOf(r.text)!, changes: [...multistatus(r.text)].map(([href, m]) => ({ href, status: m.status ?? 200 })) };
  };
  const etagOf = async (href: string) => (await s.request('GET', href)).headers.get('ETag');

  it('turned on, it holds a yearly all-day transparent event per birthday and anniversary of the existing cards, in every vCard form', async () => {
    await put(`${BOOK}v3.vcf`, card('v3', '3.0', ['FN:Vera Three', 'N:Three;Vera;;;', 'BDAY:1985-04-15']));
    await put(`${BOOK}v4.vcf`, card('v4', '4.0', ['FN:Frank Four', 'BDAY:19900102', 'ANNIVERSARY:20150620']));
    await put(`${BOOK}noyear.vcf`, card('noyear', '4.0', ['FN:Nora Noyear', 'BDAY:--0704']));
    await put(`${BOOK}apple.vcf`, card('apple', '3.0', ['FN:Abe Apple', 'N:Apple;Abe;;;', 'BDAY;X-APPLE-OMIT-YEAR=1604:1604-12-03']));
    await put(`${BOOK}timed.vcf`, card('timed', '3.0', ['FN:Tim Timed', 'N:Timed;Tim;;;', 'BDAY:1970-08-09T10:00:00Z']));
    await put(`${BOOK}leap.vcf`, card('leap', '4.0', ['FN:Lea Leap', 'BDAY:20000229']));
    await put(`${BOOK}none.vcf`, card('none', '4.0', ['FN:Nobody Dated']));
    await put(`${BOOK}text.vcf`, card('text', '4.0', ['FN:Tex Text', 'BDAY;VALUE=text:circa 1800']));
    await put(`${BOOK}evolution.vcf`, card('evolution', '3.0', ['FN:Evan Evo', 'N:Evo;Evan;;;', 'BDAY;VALUE=date:1975-09-21', 'X-ANNIVERSARY:2012-09-09']));
    await put(`${BOOK}nosuchday.vcf`, card('nosuchday', '4.0', ['FN:Nadia Nosuchday', 'BDAY:19850230']));
    await put(`${BOOK}monthonly.vcf`, card('monthonly', '4.0', ['FN:Mo Monthonly', 'BDAY:1985-04']));
    await put(`${BOOK}ancestor.vcf`, card('ancestor', '4.0', ['FN:Ada Ancestor', 'BDAY:18151210']));
    assert.equal(await hasBirthdayCalendar(s.store, alice), false);
    assert.equal((await s.request('PROPFIND', BIRTHDAYS, { headers: { Depth: '0' }, body: propfindBody('<D:displayname/>') })).status, 404);

    await setBirthdayCalendar(s.server.dav, alice, true);
    assert.equal(await hasBirthdayCalendar(s.store, alice), true);

    const shown = await bySummary();
    assert.deepEqual([...shown.keys()].sort(), [
      "Abe Apple's birthday", "Ada Ancestor's birthday", "Evan Evo's anniversary", "Evan Evo's birthday", "Frank Four's anniversary", "Frank Four's birthday", "Lea Leap's birthday",
      "Nora Noyear's birthday", "Tim Timed's birthday", "Vera Three's birthday",
    ]);
    assert.equal(shown.get("Vera Three's birthday")!.dtstart, '1985-04-15');
    assert.equal(shown.get("Frank Four's birthday")!.dtstart, '1990-01-02');
    assert.equal(shown.get("Frank Four's anniversary")!.dtstart, '2015-06-20');
    assert.equal(shown.get("Tim Timed's birthday")!.dtstart, '1970-08-09');
    assert.equal(shown.get("Evan Evo's anniversary")!.dtstart, '2012-09-09');
    // No year: not 1604 (Apple's stand-in), a leap year of our own.
    assert.equal(shown.get("Abe Apple's birthday")!.dtstart, '1972-12-03');
    assert.equal(shown.get("Nora Noyear's birthday")!.dtstart, '1972-07-04');
    // Before 1900 the year is dropped: the series would be indexed from its start at every write.
    assert.equal(shown.get("Ada Ancestor's birthday")!.dtstart, '1972-12-10');
    assert.equal(shown.get("Lea Leap's birthday")!.rrule, 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1');
    for (const e of shown.values()) {
      if (e.summary !== "Lea Leap's birthday") assert.equal(e.rrule, 'FREQ=YEARLY');
      assert.equal(e.transp, 'TRANSPARENT');
    }

    // A calendar of the user's, named and coloured, found like any other.
    const home = await s.request('PROPFIND', CAL_HOME, { headers: { Depth: '1' }, body: propfindBody('<D:displayname/><A:calendar-color/>') });
    const listed = multistatus(home.text).get(BIRTHDAYS);
    assert.equal(propText(listed, d('displayname')), 'Birthdays');
    assert.match(propText(listed, '{http://apple.com/ns/ical/}calendar-color') ?? '', /^#[0-9A-F]{8}$/i);
  });

  it('says it is read-only: the calendar grants read and write-properties, its events read', async () => {
    const privileges = async (href: string) => {
      const r = await s.request('PROPFIND', href, { headers: { Depth: '0' }, body: propfindBody('<D:current-user-privilege-set/>') });
      const set = multistatus(r.text).get(href)!.props.get(d('current-user-privilege-set'))!.el;
      return set.children.map((p) => p.children[0]!.name.replace('{DAV:}', '')).sort();
    };
    assert.deepEqual(await privileges(BIRTHDAYS), ['read', 'read-current-user-privilege-set', 'write-properties']);
    const [href] = [...(await events()).keys()];
    assert.deepEqual(await privileges(href!), ['read', 'read-current-user-privilege-set']);
    assert.ok((await privileges(`${CAL_HOME}default/`)).includes('write-content'));
  });

  it('follows the cards: a new card adds its birthday, a changed BDAY moves it, a deletion removes it; sync-collection reports each, and an edit that leaves the date alone changes nothing', async () => {
    let since = await token(BIRTHDAYS);

    await put(`${BOOK}new.vcf`, card('new', '4.0', ['FN:Nina New', 'BDAY:19950310']));
    let shown = await bySummary();
    assert.equal(shown.get("Nina New's birthday")?.dtstart, '1995-03-10');
    const hrefOfNina = [...(await events())].find(([, e]) => e.summary === "Nina New's birthday")![0];
    let sync = await changedSince(since);
    assert.deepEqual(sync.changes, [{ href: hrefOfNina, status: 200 }]);
    since = sync.token;

    // Another field changes, the birthday does not: same ETag, no change to sync.
    const etag = await etagOf(hrefOfNina);
    await put(`${BOOK}new.vcf`, card('new', '4.0', ['FN:Nina New', 'BDAY:19950310', 'TEL:+15551234567']));
    assert.equal(await etagOf(hrefOfNina), etag);
    assert.deepEqual((await changedSince(since)).changes, []);

    await put(`${BOOK}new.vcf`, card('new', '4.0', ['FN:Nina New', 'BDAY:19950311']));
    shown = await bySummary();
    assert.equal(shown.get("Nina New's birthday")?.dtstart, '1995-03-11');
    assert.notEqual(await etagOf(hrefOfNina), etag);
    sync = await changedSince(since);
    assert.deepEqual(sync.changes, [{ href: hrefOfNina, status: 200 }]);
    since = sync.token;

    // The BDAY removed from the card: its birthday goes.
    await put(`${BOOK}new.vcf`, card('new', '4.0', ['FN:Nina New']));
    assert.equal((await bySummary()).has("Nina New's birthday"), false);
    await put(`${BOOK}new.vcf`, card('new', '4.0', ['FN:Nina New', 'BDAY:19950311']));
    assert.equal((await bySummary()).has("Nina New's birthday"), true);
    since = (await changedSince(since)).token;

    assert.equal((await s.request('DELETE', `${BOOK}new.vcf`)).status, 204);
    assert.equal((await bySummary()).has("Nina New's birthday"), false);
    assert.equal((await s.request('GET', hrefOfNina)).status, 404);
    assert.deepEqual((await changedSince(since)).changes, [{ href: hrefOfNina, status: 404 }]);
  });

  it('follows cards that move between address books, and an address book deleted takes its birthdays along', async () => {
    assert.equal((await s.request('MKCOL', WORK_BOOK, {
      headers: { 'Content-Type': 'application/xml' },
      body: '<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>',
    })).status, 201);
    await put(`${WORK_BOOK}boss.vcf`, card('boss', '3.0', ['FN:Bea Boss', 'N:Boss;Bea;;;', 'BDAY:1960-01-31']));
    await put(`${BOOK}colleague.vcf`, card('colleague', '3.0', ['FN:Carl Colleague', 'N:Colleague;Carl;;;', 'BDAY:1980-05-05']));
    assert.ok((await bySummary()).has("Bea Boss's birthday"));

    const move = await s.request('MOVE', `${BOOK}colleague.vcf`, { headers: { Destination: `${s.url.replace(/\/$/, '')}${WORK_BOOK}colleague.vcf` } });
    assert.equal(move.status, 201);
    const carls = [...(await events()).values()].filter((e) => e.summary === "Carl Colleague's birthday");
    assert.equal(carls.length, 1, 'the moved card has one birthday, not one per address book');

    assert.equal((await s.request('DELETE', WORK_BOOK)).status, 204);
    const shown = await bySummary();
    assert.equal(shown.has("Bea Boss's birthday"), false);
    assert.equal(shown.has("Carl Colleague's birthday"), false);
    assert.ok(shown.has("Vera Three's birthday"), 'the other address book keeps its birthdays');
  });

  it('refuses clients\' writes of its events (403 need-privileges), but lets them rename it', async () => {
    const [href] = [...(await events()).keys()];
    const putNew = await s.request('PUT', `${BIRTHDAYS}mine.ics`, { body: event('mine', '20300101T100000Z', '20300101T110000Z'), headers: { 'Content-Type': 'text/calendar' } });
    assert.equal(putNew.status, 403);
    assert.match(putNew.text, /need-privileges/);
    assert.match(putNew.text, /<[^>]*bind\/>/);
    const overwrite = await s.request('PUT', href!, { body: event('other', '20300101T100000Z', '20300101T110000Z'), headers: { 'Content-Type': 'text/calendar' } });
    assert.equal(overwrite.status, 403);
    assert.match(overwrite.text, /write-content/);
    const del = await s.request('DELETE', href!);
    assert.equal(del.status, 403);
    assert.match(del.text, /unbind/);
    assert.equal((await s.request('GET', href!)).status, 200);
    assert.equal((await s.request('POST', BIRTHDAYS, { body: event('posted', '20300101T100000Z', '20300101T110000Z'), headers: { 'Content-Type': 'text/calendar' } })).status, 403);

    const base = s.url.replace(/\/$/, '');
    const moveOut = await s.request('MOVE', href!, { headers: { Destination: `${base}${CAL_HOME}default/stolen.ics` } });
    assert.equal(moveOut.status, 403);
    await put(`${CAL_HOME}default/own.ics`, event('own', '20300101T100000Z', '20300101T110000Z'), { 'Content-Type': 'text/calendar' });
    const copyIn = await s.request('COPY', `${CAL_HOME}default/own.ics`, { headers: { Destination: `${base}${BIRTHDAYS}own.ics` } });
    assert.equal(copyIn.status, 403);
    // Copying a birthday into one's own calendar is reading it.
    assert.equal((await s.request('COPY', href!, { headers: { Destination: `${base}${CAL_HOME}default/copied.ics` } })).status, 201);

    const rename = await s.request('PROPPATCH', BIRTHDAYS, {
      body: '<D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Geburtstage</D:displayname><A:calendar-color>#FF0000FF</A:calendar-color></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(rename.status, 207);
    assert.doesNotMatch(rename.text, /HTTP\/1\.1 (403|424)/);
  });

  it('refuses writes through the JSON API (403 forbidden) and lists the calendar as the user\'s to read', async () => {
    const post = await s.request('POST', '/calendar/v3/calendars/birthdays/events', {
      body: JSON.stringify({ summary: 'x', start: { date: '2030-01-01' }, end: { date: '2030-01-02' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(post.status, 403, post.text);
    assert.equal(JSON.parse(post.text).error.errors[0].reason, 'forbidden');
    const list = JSON.parse((await s.request('GET', '/calendar/v3/users/me/calendarList')).text) as { items: { id: string; accessRole: string }[] };
    assert.equal(list.items.find((i) => i.id === 'birthdays')?.accessRole, 'reader');
    assert.equal(list.items.find((i) => i.id === 'default')?.accessRole, 'owner');
  });

  it('answers a time-range query in a later year; February 29 shows on the 28th in a common year', async () => {
    const range = (start: string, end: string) =>
      calendarQuery(`<C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/></C:comp-filter>`, '<D:getetag/><C:calendar-data/>');
    const summaries = async (start: string, end: string) => {
      const r = await s.request('REPORT', BIRTHDAYS, { headers: { Depth: '1' }, body: range(start, end) });
      assert.equal(r.status, 207, r.text);
      return [...multistatus(r.text).values()].map((m) => /SUMMARY:(.*)\r?\n/.exec(propText(m, c('calendar-data'))!)![1]).sort();
    };
    assert.deepEqual(await summaries('20410415T000000Z', '20410416T000000Z'), ["Vera Three's birthday"]);
    assert.deepEqual(await summaries('20411203T000000Z', '20411204T000000Z'), ["Abe Apple's birthday"]);
    assert.deepEqual(await summaries('20410228T000000Z', '20410301T000000Z'), ["Lea Leap's birthday"]);
    assert.deepEqual(await summaries('20440229T000000Z', '20440301T000000Z'), ["Lea Leap's birthday"]);
    assert.deepEqual(await summaries('20440228T000000Z', '20440229T000000Z'), []);
  });

  it('turned off, the calendar is gone; turned on again, it is made afresh from the cards', async () => {
    await setBirthdayCalendar(s.server.dav, alice, false);
    assert.equal(await hasBirthdayCalendar(s.store, alice), false);
    assert.equal((await s.request('PROPFIND', BIRTHDAYS, { headers: { Depth: '0' }, body: propfindBody('<D:displayname/>') })).status, 404);
    // Cards written while it is off are there when it comes back.
    await put(`${BOOK}later.vcf`, card('later', '4.0', ['FN:Lou Later', 'BDAY:20010101']));
    await setBirthdayCalendar(s.server.dav, alice, true);
    await setBirthdayCalendar(s.server.dav, alice, true); // on twice is on
    const shown = await bySummary();
    assert.ok(shown.has("Lou Later's birthday"));
    assert.ok(shown.has("Vera Three's birthday"));
    assert.equal((await s.store.listCollections(alice.id, 'calendar')).filter((col) => col.generator !== null).length, 1);
  });

  it('a client deleting the calendar turns it off; an ordinary calendar named birthdays is left alone and the birthdays go next to it', async () => {
    assert.equal((await s.request('DELETE', BIRTHDAYS)).status, 204);
    assert.equal(await hasBirthdayCalendar(s.store, alice), false);
    assert.equal((await s.request('MKCALENDAR', BIRTHDAYS)).status, 201);
    await put(`${BIRTHDAYS}mine.ics`, event('mine', '20300101T100000Z', '20300101T110000Z'), { 'Content-Type': 'text/calendar' });
    await setBirthdayCalendar(s.server.dav, alice, true);
    const generated = (await s.store.listCollections(alice.id, 'calendar')).find((col) => col.generator !== null)!;
    assert.notEqual(generated.uri, 'birthdays');
    assert.equal((await s.request('GET', `${BIRTHDAYS}mine.ics`)).status, 200);
    await setBirthdayCalendar(s.server.dav, alice, false);
    assert.equal((await s.request('GET', `${BIRTHDAYS}mine.ics`)).status, 200, 'turning it off leaves the ordinary calendar');
  });

  it('is never the JSON API\'s primary calendar when the default is gone', async () => {
    await setBirthdayCalendar(s.server.dav, alice, true);
    for (const gone of [BIRTHDAYS, `${CAL_HOME}default/`]) assert.equal((await s.request('DELETE', gone)).status, 204);
    assert.equal((await s.request('MKCALENDAR', `${CAL_HOME}work/`)).status, 201);
    const list = JSON.parse((await s.request('GET', '/calendar/v3/users/me/calendarList')).text) as { items: { id: string; primary?: boolean }[] };
    assert.deepEqual(list.items.filter((i) => i.primary).map((i) => i.id), ['work']);
    assert.ok(list.items.some((i) => i.id === 'contact-birthdays'));
  });
});

describe('birthday calendar of many cards', () => {
  let s: TestServer;
  after(() => s.close());

  it('is filled in batches from every card, while other requests are answered; the address book deleted empties it', async () => {
    s = await startTestServer();
    const bob = (await s.store.getUser('bob'))!;
    const asBob = { name: 'bob', password: 'bob-secret' };
    // Six transactions' worth: without the fill's pauses about one request gets in for every
    // two transactions; with them, two to six for each, even on a loaded machine.
    const n = 6 * FILL_BATCH;
    const putCard = async (i: number) => {
      const day = String((i % 28) + 1).padStart(2, '0');
      const month = String((i % 12) + 1).padStart(2, '0');
      const r = await s.request('PUT', `/dav/addressbooks/bob/default/c${i}.vcf`, { body: card(`c${i}`, '4.0', [`FN:Person ${i}`, `BDAY:1980${month}${day}`]), headers: VCARD, user: asBob });
      assert.equal(r.status, 201);
    };
    for (let i = 0; i < n; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => putCard(i + k)));

    // Alice's requests, one after another, go on being answered while Bob's calendar is
    // filled: many of them, not just one in each gap between the fill's transactions.
    let filled = false;
    const filling = setBirthdayCalendar(s.server.dav, bob, true).then(() => (filled = true));
    let answered = 0;
    while (!filled) {
      const other = await s.request('PROPFIND', CAL_HOME, { headers: { Depth: '0' }, body: propfindBody('<D:displayname/>') });
      assert.equal(other.status, 207);
      answered++;
    }
    await filling;
    assert.ok(answered > n / FILL_BATCH, `only ${answered} requests were answered while ${n} cards were read in ${n / FILL_BATCH} transactions`);
    const r = await s.request('PROPFIND', '/dav/calendars/bob/birthdays/', { headers: { Depth: '1' }, body: propfindBody('<D:getetag/>'), user: asBob });
    assert.equal(multistatus(r.text).size, n + 1);

    assert.equal((await s.request('DELETE', '/dav/addressbooks/bob/default/', { user: asBob })).status, 204);
    const empty = await s.request('PROPFIND', '/dav/calendars/bob/birthdays/', { headers: { Depth: '1' }, body: propfindBody('<D:getetag/>'), user: asBob });
    assert.equal(multistatus(empty.text).size, 1, 'only the calendar itself is left');
  });
});
