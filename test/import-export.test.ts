// Import and export of whole calendars and address books (src/import-export), as the
// CLI and the web UI use them, against the real server on the suite's engine: an
// Outlook-style .ics split per UID (METHOD dropped, overrides with their series, only
// the time zones used), a .vcf of vCard 3 and 4 cards split per card, each item through
// the write path (sync token moves), a per-item report, re-import updating in place.
// The real-world corpus in ../shared/fixtures is imported too when it is there.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INSTALL_DIR, installPath } from '../src/install-dir.js';
import { exportCollection, findCollection, ImportError, importInto, type ImportReport } from '../src/import-export/index.js';
import type { User } from '../src/store/types.js';
import type { CollectionResource } from '../src/webdav/resource.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const OWN = installPath('test', 'fixtures');
const SHARED = path.resolve(INSTALL_DIR, '../shared/fixtures');
const OUTLOOK = readFileSync(path.join(OWN, 'outlook-export.ics'));
const CONTACTS = readFileSync(path.join(OWN, 'contacts-export.vcf'));
const SERIES_UID = '040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5F6000000000000000010000000AAAA';

async function text(chunks: AsyncIterable<string | Buffer>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c.toString();
  return out;
}

const byUid = (report: ImportReport) => new Map(report.items.map((i) => [i.uid, i]));

describe('import and export', () => {
  let s: TestServer;
  let alice: User;
  let calendar: CollectionResource;
  let book: CollectionResource;
  before(async () => {
    s = await startTestServer();
    alice = (await s.store.getUser('alice'))!;
    calendar = await findCollection(s.server.dav, alice, 'calendars/default');
    book = await findCollection(s.server.dav, alice, 'addressbooks/default');
  });
  after(() => s.close());

  const token = async (c: CollectionResource) => (await s.store.getCollectionById(c.collection.id))!.synctoken;

  it('an Outlook export: one object per UID, METHOD dropped, overrides with their series, the time zones they use; a bad item fails alone', async () => {
    const before = await token(calendar);
    const report = await importInto(s.server.dav, calendar, OUTLOOK);
    assert.deepEqual(report.counts, { created: 3, updated: 0, unchanged: 0, failed: 1 });
    const items = byUid(report);
    assert.equal(items.get('broken@example.com')?.outcome, 'failed');
    assert.match(items.get('broken@example.com')!.reason!, /DTSTART/);
    assert.equal(items.get('broken@example.com')!.href, null);
    assert.equal(await token(calendar), before + 3, 'the sync token moved once per stored item');

    const series = items.get(SERIES_UID)!;
    assert.equal(series.outcome, 'created');
    assert.equal(series.href, `/dav/calendars/alice/default/${SERIES_UID}.ics`);
    const got = await s.request('GET', series.href);
    assert.equal(got.status, 200);
    assert.equal((got.text.match(/BEGIN:VEVENT/g) ?? []).length, 2, 'the override is in the series\' object');
    assert.match(got.text, /RECURRENCE-ID;TZID="?W\. Europe Standard Time"?:20240115T100000/);
    assert.doesNotMatch(got.text, /METHOD/);
    assert.match(got.text, /TZID:W\. Europe Standard Time/);
    assert.doesNotMatch(got.text, /Pacific Standard Time/, 'a time zone nothing uses is left out');
    assert.match(got.text, /X-MICROSOFT-CDO-BUSYSTATUS:BUSY/, 'properties are kept as written');
    assert.match(got.text, /DESCRIPTION:Weekly team meeting\\n/);

    const holiday = await s.request('GET', items.get('holiday-2024@example.com')!.href!);
    assert.doesNotMatch(holiday.text, /BEGIN:VTIMEZONE/);
    assert.match(holiday.text, /DTSTART;VALUE=DATE:20240301/);
    assert.equal(items.get('todo-1@example.com')?.outcome, 'created');

    // The time index was filled as for a PUT: the moved instance is found where it was moved to.
    const query = `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>
      <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20240115T095000Z" end="20240115T100500Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
    const found = await s.request('REPORT', calendar.path, { headers: { Depth: '1' }, body: query });
    assert.equal(found.status, 207);
    assert.ok(found.text.includes(series.href), 'the override (10:00 Berlin = 09:00Z … moved to 10:00Z) is indexed');
  });

  it('importing the same file again changes nothing; a changed item is updated in place', async () => {
    const before = await token(calendar);
    const again = await importInto(s.server.dav, calendar, OUTLOOK);
    assert.deepEqual(again.counts, { created: 0, updated: 0, unchanged: 3, failed: 1 });
    assert.equal(await token(calendar), before, 'nothing was written');

    const changed = OUTLOOK.toString('utf8').replace('SUMMARY:Holiday', 'SUMMARY:Holiday (company)');
    const third = await importInto(s.server.dav, calendar, changed);
    assert.deepEqual(third.counts, { created: 0, updated: 1, unchanged: 2, failed: 1 });
    const holiday = byUid(third).get('holiday-2024@example.com')!;
    assert.equal(holiday.outcome, 'updated');
    assert.match((await s.request('GET', holiday.href!)).text, /SUMMARY:Holiday \(company\)/);
    let members = 0;
    for await (const page of s.store.listObjects(calendar.collection.id)) members += page.length;
    assert.equal(members, 3, 'no copies');
  });

  it('a .vcf of vCard 3.0 and 4.0 cards: one per card, a card without UID given one that holds on re-import', async () => {
    const before = await token(book);
    const report = await importInto(s.server.dav, book, CONTACTS);
    assert.deepEqual(report.counts, { created: 3, updated: 0, unchanged: 0, failed: 1 });
    const items = byUid(report);
    assert.equal(items.get('ann-3@example.com')?.outcome, 'created');
    assert.equal(items.get('urn:uuid:5f0c1a3e-0000-4000-8000-00000000b4b4')?.outcome, 'created');
    assert.match(items.get('dan-no-fn@example.com')!.reason!, /FN is missing/);
    const cleo = report.items.find((i) => i.uid?.startsWith('urn:uuid:') && i.uid !== 'urn:uuid:5f0c1a3e-0000-4000-8000-00000000b4b4')!;
    assert.equal(cleo.outcome, 'created');
    const card = await s.request('GET', cleo.href!);
    assert.match(card.text, /FN:Cleo Without Uid/);
    assert.ok(card.text.includes(`UID:${cleo.uid}`));
    assert.match((await s.request('GET', items.get('ann-3@example.com')!.href!)).text, /EMAIL;TYPE=INTERNET,HOME:ann@example\.com/, 'the card as written');
    assert.equal(await token(book), before + 3);

    const again = await importInto(s.server.dav, book, CONTACTS);
    assert.deepEqual(again.counts, { created: 0, updated: 0, unchanged: 3, failed: 1 });
    assert.equal(byUid(again).get(cleo.uid)?.href, cleo.href, 'the same derived UID, the same card');
  });

  it('a file of the other kind, or of neither, is refused as a whole', async () => {
    await assert.rejects(importInto(s.server.dav, book, OUTLOOK), (e) => e instanceof ImportError && /into a calendar/.test(e.message));
    await assert.rejects(importInto(s.server.dav, calendar, CONTACTS), (e) => e instanceof ImportError && /into an address book/.test(e.message));
    await assert.rejects(importInto(s.server.dav, calendar, 'hello'), (e) => e instanceof ImportError && /neither iCalendar/.test(e.message));
  });

  it('a bare VEVENT file (Evolution, khal) is imported as if in a VCALENDAR', async () => {
    const bare = 'BEGIN:VEVENT\r\nUID:bare-1@example.com\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240501T100000Z\r\nSUMMARY:Bare\r\nEND:VEVENT\r\n';
    const report = await importInto(s.server.dav, calendar, bare);
    assert.deepEqual(report.counts, { created: 1, updated: 0, unchanged: 0, failed: 0 });
    assert.match((await s.request('GET', report.items[0]!.href!)).text, /^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\nPRODID:/);
  });

  it('export is what GET on the collection answers, and imports back unchanged', async () => {
    for (const c of [calendar, book]) {
      const exported = exportCollection(s.server.dav, c);
      const body = await text(exported.chunks);
      const got = await s.request('GET', c.path);
      assert.equal(got.status, 200);
      assert.equal(body, got.text);
      assert.equal(exported.contentType, got.headers.get('content-type'));
      assert.equal(exported.filename, `default${c.kind.objectExtension}`);
      const report = await importInto(s.server.dav, c, body);
      assert.equal(report.counts.created + report.counts.failed, 0, `${c.path}: ${JSON.stringify(report.counts)}`);
    }
  });

  it('names collections as calendars/<name>, addressbooks/<name>, their path, or a bare name of one kind', async () => {
    assert.equal((await findCollection(s.server.dav, alice, '/dav/calendars/alice/default/')).collection.id, calendar.collection.id);
    assert.equal((await findCollection(s.server.dav, alice, 'default', 'addressbook')).collection.id, book.collection.id);
    await assert.rejects(findCollection(s.server.dav, alice, 'default'), /calendar and an address book named default/);
    await assert.rejects(findCollection(s.server.dav, alice, 'calendars/nope'), /no collection calendars\/nope \(there are: .*calendars\/default/);
    await assert.rejects(findCollection(s.server.dav, alice, '/dav/calendars/bob/default/'), /names no collection/);
  });
});

describe('import of the real-world corpus (../shared/fixtures)', () => {
  it('every Outlook/Exchange, Google and Apple calendar file imports, and again unchanged', async (t) => {
    if (!existsSync(SHARED)) {
      t.skip(`../shared/fixtures not found at ${SHARED}: the corpus is read in place, never copied; the tests above used test/fixtures`);
      return;
    }
    const s = await startTestServer();
    try {
      const alice = (await s.store.getUser('alice'))!;
      // A calendar for every component type: the default one takes only VEVENT and VTODO.
      const mk = await s.request('MKCALENDAR', '/dav/calendars/alice/imported/');
      assert.equal(mk.status, 201);
      const target = await findCollection(s.server.dav, alice, 'calendars/imported');
      for (const producer of ['outlook-exchange', 'google', 'apple']) {
        const dir = path.join(SHARED, 'ical', producer);
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.ics'))) {
          const bytes = readFileSync(path.join(dir, file));
          const first = await importInto(s.server.dav, target, bytes);
          t.diagnostic(`${producer}/${file}: ${JSON.stringify(first.counts)}`);
          const failures = first.items.filter((i) => i.outcome === 'failed');
          assert.deepEqual(failures, [], `${producer}/${file}`);
          const again = await importInto(s.server.dav, target, bytes);
          assert.equal(again.counts.created + again.counts.failed, 0, `${producer}/${file} again: ${JSON.stringify(again.counts)}`);
        }
      }
      const germany = await importInto(s.server.dav, target, readFileSync(path.join(SHARED, 'ical/outlook-exchange/rie-Germany.ics')));
      assert.equal(germany.counts.unchanged, 159, 'Outlook\'s export of German holidays: 159 events');
    } finally {
      await s.close();
    }
  });
});
