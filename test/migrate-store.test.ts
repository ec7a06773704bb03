// migrate-store: a store copied into another (of the suite's engine; with
// TEST_DATABASE_URL also through the other engine and back) holds the same rows, and
// a server on the copy serves the same ETags, honours the sync tokens clients hold,
// answers time-range queries alike and goes on creating with fresh ids.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { COPIED_TABLES, copyStore, tableCopier, type Row } from '../src/store/copy.js';
import type { Store } from '../src/store/types.js';
import { BOOK, ownCard, VCARD } from './helpers/carddav.js';
import { cli as runCli, storeVars } from './helpers/cli.js';
import { event, ics } from './helpers/ics.js';
import { startServerAt, startTestServer, type TestServer } from './helpers/server.js';
import { freshStoreLocation, openStoreAt, TEST_ENGINE, type StoreLocation } from './helpers/store.js';
import { c, d, multistatus, NS, propfindBody, propText } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';
const CAL_HOME = '/dav/calendars/alice/';
const OTHER_ENGINE = TEST_ENGINE === 'sqlite' ? 'postgres' : 'sqlite';
const FLAVOUR = '{urn:example:x}flavour';
const ALARM = c('default-alarm-vevent-datetime');
/** A calendar-timezone at UTC+5: floating 23:00 is 18:00Z. */
const PLUS5 = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Davenport tests//EN', 'BEGIN:VTIMEZONE', 'TZID:Plus5',
  'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0500', 'TZOFFSETTO:+0500', 'END:STANDARD',
  'END:VTIMEZONE', 'END:VCALENDAR', '',
].join('\r\n');

const set = (prop: string) =>
  `<D:propertyupdate xmlns:D="DAV:" xmlns:C="${NS.C}" xmlns:X="urn:example:x"><D:set><D:prop>${prop}</D:prop></D:set></D:propertyupdate>`;
const timeRange = (start: string, end: string) =>
  `<C:calendar-query xmlns:D="DAV:" xmlns:C="${NS.C}"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR">` +
  `<C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
const syncCollection = (token: string) =>
  `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;

/** Every row of every copied table, in an order both engines agree on. */
async function dump(store: Store): Promise<Record<string, Row[]>> {
  return (await tableCopier(store)).snapshot(async (reader) => {
    const tables: Record<string, Row[]> = {};
    for (const table of COPIED_TABLES) {
      const byKey = (row: Row) => JSON.stringify(table.key.map((k) => row[k]));
      tables[table.name] = (await reader.readRows(table, undefined, 100_000)).sort((a, b) => byKey(a).localeCompare(byKey(b)));
    }
    return tables;
  });
}

async function syncToken(s: TestServer, path: string): Promise<string> {
  const r = await s.request('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<D:sync-token/>') });
  return propText(multistatus(r.text).get(path), d('sync-token'))!;
}

/** What a client sees of the store, and can see again on a copy. */
async function view(s: TestServer, tokenBeforeDelete: string) {
  const propfind = async (path: string, depth: string, props: string) => {
    const r = await s.request('PROPFIND', path, { headers: { Depth: depth }, body: propfindBody(props) });
    assert.equal(r.status, 207, r.text);
    return multistatus(r.text);
  };
  const report = async (body: string) => {
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body });
    assert.equal(r.status, 207, r.text);
    return [...multistatus(r.text).values()].map((m) => `${m.href} ${m.status ?? 200}`).sort();
  };
  const etags = new Map<string, string | undefined>();
  for (const path of [CAL, BOOK]) for (const [href, m] of await propfind(path, '1', '<D:getetag/>')) etags.set(href, propText(m, d('getetag')));
  const withFlavour = await propfind(CAL, '0', '<X:flavour xmlns:X="urn:example:x"/>');
  return {
    etags,
    token: await syncToken(s, CAL),
    changesSinceBeforeDelete: await report(syncCollection(tokenBeforeDelete)),
    thisWeek: await report(timeRange('20240414T000000Z', '20240416T000000Z')),
    years: await report(timeRange('20310101T000000Z', '20310108T000000Z')),
    floating: await report(timeRange('20240420T175900Z', '20240420T180100Z')),
    flavour: propText(withFlavour.get(CAL), FLAVOUR),
    homeAlarm: propText((await propfind(CAL_HOME, '0', '<C:default-alarm-vevent-datetime/>')).get(CAL_HOME), ALARM),
  };
}

/** The id in a sync token: urn:davenport:sync:<collection id>:<counter>. */
const collectionIdOf = (token: string) => Number(/:(\d+):\d+$/.exec(token)![1]);

describe('migrate-store', () => {
  let source: TestServer;
  let tokenBeforeDelete: string;
  let deletedCollectionId: number;
  let seen: Awaited<ReturnType<typeof view>>;
  let rows: Record<string, Row[]>;

  before(async () => {
    source = await startTestServer();
    const put = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      assert.equal((await source.request('PUT', path, { body, headers })).status, 201, path);
    await put(`${CAL}single.ics`, event('single', '20240415T120000Z', '20240415T130000Z'));
    await put(`${CAL}weekly.ics`, ics('weekly', ['DTSTART:20240304T090000Z', 'DTEND:20240304T100000Z', 'RRULE:FREQ=WEEKLY;COUNT=10']));
    // open-ended: indexed up to a horizon only (objects.time_index_until)
    await put(`${CAL}forever.ics`, ics('forever', ['DTSTART:20200106T080000Z', 'DTEND:20200106T083000Z', 'RRULE:FREQ=WEEKLY;BYDAY=MO']));
    // floating times: placed in the calendar's zone, under its tag (objects.floating_zone)
    assert.equal((await source.request('PROPPATCH', CAL, { body: set(`<C:calendar-timezone><![CDATA[${PLUS5}]]></C:calendar-timezone>`) })).status, 207);
    await put(`${CAL}floating.ics`, ics('floating', ['DTSTART:20240420T230000', 'DTEND:20240420T233000']));
    await put(`${CAL}gone.ics`, event('gone', '20240415T140000Z', '20240415T150000Z'));
    await put(`${BOOK}bob.vcf`, ownCard('card-v4-bob.vcf'), VCARD);
    tokenBeforeDelete = await syncToken(source, CAL);
    assert.equal((await source.request('DELETE', `${CAL}gone.ics`)).status, 204);
    assert.equal((await source.request('PROPPATCH', CAL, { body: set('<X:flavour>Vanilla <X:b>bold</X:b></X:flavour>') })).status, 207);
    assert.equal((await source.request('PROPPATCH', CAL_HOME, { body: set('<C:default-alarm-vevent-datetime>BEGIN:VALARM</C:default-alarm-vevent-datetime>') })).status, 207);
    // the newest collection is deleted: a copy must not hand out its id again
    assert.equal((await source.request('MKCALENDAR', '/dav/calendars/alice/temp/')).status, 201);
    deletedCollectionId = collectionIdOf(await syncToken(source, '/dav/calendars/alice/temp/'));
    assert.equal((await source.request('DELETE', '/dav/calendars/alice/temp/')).status, 204);
    // no HTTP form: written with the copy's own writer
    const appPasswords = COPIED_TABLES.find((t) => t.name === 'app_passwords')!;
    const alice = (await source.store.getUser('alice'))!;
    await (await tableCopier(source.store)).transaction((w) =>
      w.writeRows(appPasswords, [{ id: 7, user_id: alice.id, label: 'phone', hash: 'x', created_at: 1, last_used_at: null }]));

    seen = await view(source, tokenBeforeDelete);
    rows = await dump(source.store);
    assert.deepEqual(seen.thisWeek, [`${CAL}forever.ics 200`, `${CAL}single.ics 200`, `${CAL}weekly.ics 200`]);
    assert.deepEqual(seen.years, [`${CAL}forever.ics 200`]);
    assert.deepEqual(seen.floating, [`${CAL}floating.ics 200`]);
    assert.ok(seen.changesSinceBeforeDelete.includes(`${CAL}gone.ics 404`));
    assert.equal(rows.changes!.filter((r) => r.deleted === true).length, 1);
    assert.ok(rows.objects!.some((r) => r.time_index_until !== null) && rows.objects!.some((r) => r.floating_zone !== null));
  });
  after(() => source.close());

  /** Copies `store` into a fresh store of each engine in turn, checking each copy's rows; returns the last. */
  async function copyThrough(store: Store, engines: (typeof TEST_ENGINE)[]): Promise<StoreLocation> {
    let from = store;
    let location: StoreLocation | undefined;
    for (const engine of engines) {
      const next = await freshStoreLocation(engine);
      const into = await openStoreAt(next);
      await copyStore(from, into, () => {});
      assert.deepEqual(await dump(into), rows, `the rows on ${engine}`);
      if (location) {
        // a copy on the way: done with
        await from.close();
        await location.drop();
      }
      [from, location] = [into, next];
    }
    await from.close();
    return location!;
  }

  /** A server on the copy serves what the source did, and goes on from there. */
  async function checkServes(location: StoreLocation): Promise<void> {
    const copy = await startServerAt(location);
    try {
      assert.deepEqual(await view(copy, tokenBeforeDelete), seen);
      // the token a client holds goes on working: only what came after it
      assert.equal((await copy.request('PUT', `${CAL}later.ics`, { body: event('later', '20240416T120000Z', '20240416T130000Z') })).status, 201);
      const since = await copy.request('REPORT', CAL, { headers: { Depth: '1' }, body: syncCollection(seen.token) });
      assert.deepEqual([...multistatus(since.text).keys()], [`${CAL}later.ics`]);
      // new ids come from above every copied one, and above the deleted collection's
      assert.equal((await copy.request('MKCALENDAR', '/dav/calendars/alice/after-copy/')).status, 201);
      const id = collectionIdOf(await syncToken(copy, '/dav/calendars/alice/after-copy/'));
      assert.ok(id > deletedCollectionId, `new collection id ${id} > ${deletedCollectionId}`);
      assert.equal((await copy.request('PUT', '/dav/calendars/alice/after-copy/new.ics', { body: event('new', '20240417T120000Z', '20240417T130000Z') })).status, 201);
    } finally {
      await copy.close();
    }
  }

  it('copies into a fresh store: same rows, ETags, sync tokens, time-range results; new ids above the old', async () => {
    await checkServes(await copyThrough(source.store, [TEST_ENGINE]));
  });

  it(`round trip through ${OTHER_ENGINE} and back`, { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL is not set' }, async () => {
    await checkServes(await copyThrough(source.store, [OTHER_ENGINE, TEST_ENGINE]));
  });

  it('the CLI copies the configured store, then refuses the now non-empty target', async () => {
    const target = await freshStoreLocation();
    try {
      const cli = () => runCli(['migrate-store', '--to', target.databaseUrl ?? `sqlite:${target.dataDir}`], storeVars(source.location));
      const first = await cli();
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`^ {2}objects +${rows.objects!.length} rows$`, 'm'));
      assert.match(first.stdout, /^copied \d+ rows/m);
      const copy = await openStoreAt(target);
      try {
        assert.deepEqual(await dump(copy), rows);
      } finally {
        await copy.close();
      }
      const again = await cli();
      assert.equal(again.code, 1);
      assert.match(again.stderr, /target is not empty \(users has rows\)/);
    } finally {
      await target.drop();
    }
  });

  it('refuses a source with a table it does not know', async () => {
    const [from, to] = [await freshStoreLocation('sqlite'), await freshStoreLocation('sqlite')];
    const [source, target] = [await openStoreAt(from), await openStoreAt(to)];
    const extra = new Database(join(from.dataDir, 'davenport.sqlite'));
    try {
      extra.exec('CREATE TABLE added_later (x INTEGER)');
      await assert.rejects(copyStore(source, target, () => {}), /tables the copy does not know: added_later/);
      // refused before anything was written: the target takes the copy once the source is fixed
      extra.exec('DROP TABLE added_later');
      assert.equal(await copyStore(source, target, () => {}), 0);
    } finally {
      extra.close();
      await Promise.all([source.close(), target.close()]);
      await Promise.all([from.drop(), to.drop()]);
    }
  });
});
