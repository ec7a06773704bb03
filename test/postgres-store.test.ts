// The PostgreSQL engine against a real server: TEST_DATABASE_URL names a database the
// test may connect to as a user allowed to create databases. The file runs in a fresh
// database of its own, dropped at the end.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres/store.js';
import { UNBOUNDED } from '../src/store/interval-levels.js';
import type { IntervalQuery, ObjectWrite, Store } from '../src/store/types.js';
import { adminQuery } from './helpers/store.js';

const BASE_URL = process.env.TEST_DATABASE_URL;

const admin = (sql: string) => adminQuery(BASE_URL!, sql);

const write = (uri: string, over: Partial<ObjectWrite> = {}): ObjectWrite => ({
  uri, uid: `uid-${uri}`, etag: `"${uri}"`, component: 'VEVENT', data: Buffer.from(`data of ${uri}`), ...over,
});

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

let users = 0;
/** A user and a calendar of its own, so the subtests share a database but no rows. */
async function calendar(store: Store) {
  const user = await store.createUser(`user${++users}`, 'hash', null, null);
  return (await store.createCollection(user.id, 'calendar', 'cal', {}))!;
}

test('PostgreSQL engine', async (t) => {
  if (!BASE_URL) {
    t.skip('TEST_DATABASE_URL not set: PostgreSQL engine not tested');
    return;
  }
  const database = `davtest_${Math.random().toString(36).slice(2, 10)}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${database}`;
  const stores: Store[] = [];
  t.after(async () => {
    for (const store of stores) await store.close();
    await admin(`DROP DATABASE ${database} WITH (FORCE)`);
  });

  // Two nodes starting at once on an empty database: one migrates, the other waits.
  const [store, second] = await Promise.all([
    PostgresStore.open(url.toString(), { poolSize: 4 }),
    PostgresStore.open(url.toString(), { poolSize: 2 }),
  ]);
  stores.push(store, second);
  await second.close();
  await second.close(); // closing twice is harmless

  await t.test('migrations are recorded once', async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    await client.end();
    assert.deepEqual(rows.map((r) => r.name), readdirSync('migrations/postgres').sort());
    assert.equal(store.engine, 'postgres');
  });

  await t.test('users round trip', async () => {
    assert.equal(await store.countUsers(), 0);
    const alice = await store.createUser('alice', 'h1', 'alice@example.com', 'Alice');
    assert.deepEqual(alice, { id: alice.id, username: 'alice', passwordHash: 'h1', displayName: 'Alice', email: 'alice@example.com', admin: false, disabled: false });
    assert.equal(typeof alice.id, 'number');
    const bob = await store.createUser('bob', 'h2', null, null);
    assert.equal(await store.countUsers(), 2);
    assert.deepEqual(await store.getUser('alice'), alice);
    assert.deepEqual(await store.listUsers(), [alice, bob]);
    await store.setPasswordHash(bob.id, 'h3');
    assert.equal((await store.getUser('bob'))?.passwordHash, 'h3');
    assert.equal(await store.getUser('nobody'), undefined);
    await assert.rejects(store.createUser('alice', 'x', null, null), { code: '23505' });
  });

  await t.test('collections: create, get, list, update, delete', async () => {
    const owner = await store.createUser('carol', 'h', null, null);
    const before = Date.now();
    const work = (await store.createCollection(owner.id, 'calendar', 'work', { displayname: 'Work', components: 'VEVENT' }))!;
    assert.deepEqual(work, {
      id: work.id, ownerId: owner.id, kind: 'calendar', uri: 'work', displayname: 'Work', description: null, color: null,
      sortOrder: null, timezone: null, components: 'VEVENT', synctoken: 0, createdAt: work.createdAt, modifiedAt: work.createdAt, generator: null,
    });
    assert.ok(work.createdAt >= before && work.createdAt <= Date.now());
    const home = (await store.createCollection(owner.id, 'calendar', 'home', {}))!;
    const book = (await store.createCollection(owner.id, 'addressbook', 'home', {}))!;
    assert.deepEqual(await store.getCollection(owner.id, 'calendar', 'work'), work);
    assert.equal(await store.getCollection(owner.id, 'calendar', 'none'), undefined);
    assert.deepEqual((await store.listCollections(owner.id, 'calendar')).map((c) => c.id), [home.id, work.id]);
    assert.deepEqual(await store.listCollections(owner.id, 'addressbook'), [book]);
    assert.equal(await store.createCollection(owner.id, 'calendar', 'work', {}), undefined, 'the URI is taken');

    await store.updateCollection(work.id, { color: '#ff0000', sortOrder: '2', displayname: null });
    await store.updateCollection(work.id, {});
    const updated = await store.getCollection(owner.id, 'calendar', 'work');
    assert.deepEqual(updated, { ...work, color: '#ff0000', sortOrder: '2', displayname: null, modifiedAt: updated!.modifiedAt });

    await store.putObject(work.id, write('a.ics'));
    await store.setDeadProperty({ collectionId: work.id, objectUri: '' }, { namespace: 'N:', name: 'p', xml: '<p/>' });
    await store.deleteCollection(work.id);
    assert.equal(await store.getCollection(owner.id, 'calendar', 'work'), undefined);
    assert.equal(await store.getObject(work.id, 'a.ics'), undefined);
    assert.deepEqual(await store.changesSince(work.id, 0), []);
    assert.deepEqual(await store.getDeadProperties({ collectionId: work.id, objectUri: '' }), []);
    assert.equal(await store.lockCollection(work.id), false);
    await assert.rejects(store.putObject(work.id, write('b.ics')), /does not exist/);
  });

  await t.test('objects: get, meta, multiget, and paging in byte order', async () => {
    const cal = await calendar(store);
    const uris = ['A.ics', 'a.ics', 'é.ics', 'Z.ics', 'zz.ics', '~.ics', '0.ics'];
    for (let i = 0; i < 1200; i++) uris.push(`event-${String(i).padStart(4, '0')}.ics`);
    await store.transaction(async (tx) => {
      for (const [i, uri] of uris.entries()) await tx.putObject(cal.id, write(uri, { component: i % 2 ? 'VTODO' : 'VEVENT' }));
    });
    const byteOrder = [...uris].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

    const listed = await collect(store.listObjects(cal.id));
    assert.deepEqual(listed.map((o) => o.uri), byteOrder);
    assert.deepEqual(Object.keys(listed[0]!).sort(), ['component', 'etag', 'modifiedAt', 'size', 'uid', 'uri']);
    const all = await collect(store.iterateObjects(cal.id));
    assert.deepEqual(all.map((o) => o.uri), byteOrder);
    assert.ok(all.every((o) => Buffer.isBuffer(o.data) && o.data.toString() === `data of ${o.uri}`));
    const todos = await collect(store.objectsOfComponent(cal.id, 'VTODO'));
    assert.deepEqual(todos.map((o) => o.uri), byteOrder.filter((u) => uris.indexOf(u) % 2 === 1));

    const a = await store.getObject(cal.id, 'é.ics');
    assert.deepEqual(a, {
      uri: 'é.ics', uid: 'uid-é.ics', etag: '"é.ics"', component: 'VEVENT', size: Buffer.byteLength('data of é.ics'),
      modifiedAt: a!.modifiedAt, data: Buffer.from('data of é.ics'),
    });
    const { data: _data, ...meta } = a!;
    assert.deepEqual(await store.getObjectMeta(cal.id, 'é.ics'), meta);
    assert.equal(await store.getObject(cal.id, 'missing.ics'), undefined);
    assert.equal(await store.getObjectMeta(cal.id, 'missing.ics'), undefined);
    assert.equal(await store.findUriByUid(cal.id, 'uid-Z.ics'), 'Z.ics');
    assert.equal(await store.findUriByUid(cal.id, 'uid-none'), undefined);
    const some = await store.getObjects(cal.id, ['a.ics', 'A.ics', 'missing.ics']);
    assert.deepEqual(some.map((o) => o.uri).sort(), ['A.ics', 'a.ics']);
    assert.deepEqual(await store.getObjects(cal.id, []), []);
  });

  await t.test('putObject and deleteObject bump the token and log changes', async () => {
    const cal = await calendar(store);
    const first = await store.putObject(cal.id, write('one.ics'));
    const second = await store.putObject(cal.id, write('two.ics'));
    assert.deepEqual([first.synctoken, second.synctoken], [1, 2]);
    const again = await store.putObject(cal.id, write('one.ics', { etag: '"v2"', data: Buffer.from('v2') }));
    assert.deepEqual(again, { objectId: first.objectId, synctoken: 3 });
    assert.equal((await store.getObject(cal.id, 'one.ics'))?.etag, '"v2"');

    const prop = { namespace: 'N:', name: 'p', xml: '<p/>' };
    await store.setDeadProperty({ collectionId: cal.id, objectUri: 'two.ics' }, prop);
    assert.equal(await store.deleteObject(cal.id, 'two.ics'), 4);
    assert.equal(await store.getObject(cal.id, 'two.ics'), undefined);
    assert.deepEqual(await store.getDeadProperties({ collectionId: cal.id, objectUri: 'two.ics' }), []);

    assert.deepEqual((await store.changesSince(cal.id, 1))!.map(({ changedAt, ...c }) => c), [
      { uri: 'two.ics', deleted: false, synctoken: 2 },
      { uri: 'one.ics', deleted: false, synctoken: 3 },
      { uri: 'two.ics', deleted: true, synctoken: 4 },
    ]);
    assert.deepEqual(await store.changesSince(cal.id, 4), []);
    assert.equal((await store.getCollection(cal.ownerId, 'calendar', 'cal'))?.synctoken, 4);
  });

  await t.test('a transaction that throws leaves nothing behind', async () => {
    const cal = await calendar(store);
    await store.putObject(cal.id, write('kept.ics'));
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.putObject(cal.id, write('lost.ics'));
        await tx.deleteObject(cal.id, 'kept.ics');
        assert.ok(await tx.getObject(cal.id, 'lost.ics')); // sees its own writes
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await store.getObject(cal.id, 'lost.ics'), undefined);
    assert.ok(await store.getObject(cal.id, 'kept.ics'));
    assert.deepEqual(await store.changesSince(cal.id, 1), []);
    assert.equal((await store.getCollection(cal.ownerId, 'calendar', 'cal'))?.synctoken, 1);
    assert.equal(await store.transaction(async (tx) => (await tx.putObject(cal.id, write('next.ics'))).synctoken), 2);
  });

  await t.test('a session used after its transaction fails', async () => {
    const cal = await calendar(store);
    const listing = await store.transaction(async (tx) => tx.listObjects(cal.id));
    await assert.rejects(collect(listing), /transaction has ended/);
  });

  await t.test('lockCollection serializes two transactions on one collection', async () => {
    const cal = await calendar(store);
    await store.putObject(cal.id, write('x.ics', { etag: '"1"' }));
    const events: string[] = [];
    let locked!: () => void;
    const firstLocked = new Promise<void>((resolve) => (locked = resolve));
    const first = store.transaction(async (tx) => {
      assert.equal(await tx.lockCollection(cal.id), true);
      locked();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tx.putObject(cal.id, write('x.ics', { etag: '"2"' }));
      events.push('first commits');
    });
    await firstLocked;
    const second = store.transaction(async (tx) => {
      assert.equal(await tx.lockCollection(cal.id), true);
      events.push('second locked');
      // Checked after the lock, the precondition sees the first writer's commit.
      const seen = (await tx.getObjectMeta(cal.id, 'x.ics'))?.etag;
      await tx.putObject(cal.id, write('x.ics', { etag: '"3"' }));
      return seen;
    });
    const [, seen] = await Promise.all([first, second]);
    assert.deepEqual(events, ['first commits', 'second locked']);
    assert.equal(seen, '"2"');
    assert.deepEqual((await store.changesSince(cal.id, 0))!.map((c) => c.synctoken), [1, 2, 3]);
  });

  await t.test('a dropped connection fails the statements on it, not the process; the pool reconnects', async () => {
    const cal = await calendar(store);
    const dropConnections = () =>
      admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`);
    await dropConnections(); // idle ones: the pool replaces them
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await store.lockCollection(cal.id), true);
    await assert.rejects(store.transaction(async (tx) => {
      await tx.putObject(cal.id, write('lost.ics'));
      await dropConnections();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await tx.putObject(cal.id, write('lost2.ics'));
    }));
    assert.equal(await store.getObject(cal.id, 'lost.ics'), undefined);
    assert.equal((await store.putObject(cal.id, write('kept.ics'))).synctoken, 1);
  });

  await t.test('UNIQUE (collection, uid) is enforced and the failed write leaves no change', async () => {
    const cal = await calendar(store);
    await store.putObject(cal.id, write('a.ics', { uid: 'same' }));
    await assert.rejects(store.putObject(cal.id, write('b.ics', { uid: 'same' })), { code: '23505' });
    assert.deepEqual((await store.changesSince(cal.id, 0))!.map((c) => c.uri), ['a.ics']);
    const other = await calendar(store);
    await store.putObject(other.id, write('b.ics', { uid: 'same' })); // per collection only
  });

  await t.test('dead properties of collections, members and users', async () => {
    const cal = await calendar(store);
    const owners = [
      { collectionId: cal.id, objectUri: '' },
      { collectionId: cal.id, objectUri: 'a.ics' },
      { userId: cal.ownerId, resource: 'principal' },
      { userId: cal.ownerId, resource: 'home/calendar' },
    ];
    for (const [i, owner] of owners.entries()) {
      await store.setDeadProperty(owner, { namespace: 'urn:x', name: 'a', xml: `<a>${i}</a>` });
      await store.setDeadProperty(owner, { namespace: 'urn:x', name: 'b', xml: '<b/>' });
      await store.setDeadProperty(owner, { namespace: 'urn:x', name: 'a', xml: `<a>${i} again</a>` });
    }
    for (const [i, owner] of owners.entries()) {
      const props = (await store.getDeadProperties(owner)).sort((p, q) => p.name.localeCompare(q.name));
      assert.deepEqual(props, [
        { namespace: 'urn:x', name: 'a', xml: `<a>${i} again</a>` },
        { namespace: 'urn:x', name: 'b', xml: '<b/>' },
      ]);
      await store.removeDeadProperty(owner, 'urn:x', 'b');
      assert.deepEqual((await store.getDeadProperties(owner)).map((p) => p.name), ['a']);
    }
  });

  await t.test('interval index: replaceIntervals and overlapping', async (t) => {
    const cal = await calendar(store);
    const put = async (uri: string, component = 'VEVENT') => (await store.putObject(cal.id, write(uri, { component }))).objectId;
    const query = (start: number | null, end: number | null, over: Partial<IntervalQuery> = {}) =>
      store.overlapping({ collectionId: cal.id, component: 'VEVENT', start, end, tag: null, slack: 0, ...over });
    const found = async (...args: Parameters<typeof query>) =>
      Object.fromEntries((await query(...args)).map((c) => [c.uri, c.decided]));
    const complete = { completeUntil: null, tag: null };

    const exact = await put('exact.ics');
    await store.replaceIntervals(cal.id, 'VEVENT', exact, { ...complete, intervals: [{ start: 100, end: 200, precision: 'exact' }] });
    const cand = await put('candidate.ics');
    await store.replaceIntervals(cal.id, 'VEVENT', cand, { ...complete, intervals: [{ start: 100, end: 200, precision: 'candidate' }] });
    const point = await put('point.ics');
    await store.replaceIntervals(cal.id, 'VEVENT', point, { ...complete, intervals: [{ start: 300, end: 300, precision: 'exact' }] });
    const todo = await put('todo.ics', 'VTODO');
    await store.replaceIntervals(cal.id, 'VTODO', todo, { ...complete, intervals: [{ start: 100, end: 200, precision: 'exact' }] });

    await t.test('exact rows decide, candidates do not, per component', async () => {
      const rows = await query(150, 160);
      assert.deepEqual(rows.map((r) => r.uri), ['candidate.ics', 'exact.ics']);
      assert.deepEqual(Object.keys(rows[0]!).sort(), ['decided', 'uri']);
      assert.deepEqual(rows[1], { uri: 'exact.ics', decided: true });
      assert.deepEqual(await found(150, 160), { 'candidate.ics': false, 'exact.ics': true });
      assert.deepEqual(await found(200, 250), {}); // half-open: [100, 200] ends where the query starts
      assert.deepEqual(await found(300, 400), { 'point.ics': true }); // a point at the start is in
      assert.deepEqual(await found(250, 300), {}); // a point at the end is not
      assert.deepEqual(await found(null, null), { 'candidate.ics': false, 'exact.ics': true, 'point.ics': true });
      assert.deepEqual(await found(150, 160, { component: 'VTODO' }), { 'todo.ics': true });
    });

    await t.test('replacing drops the old rows; deleting the object drops its rows', async () => {
      await store.replaceIntervals(cal.id, 'VEVENT', exact, { ...complete, intervals: [{ start: 1000, end: 2000, precision: 'exact' }] });
      assert.deepEqual(await found(150, 160), { 'candidate.ics': false });
      assert.deepEqual(await found(1500, 1600), { 'exact.ics': true });
      await store.deleteObject(cal.id, 'exact.ics');
      assert.deepEqual(await found(1500, 1600), {});
    });

    await t.test('an incomplete set is read for queries reaching past completeUntil', async () => {
      const series = await put('series.ics');
      await store.replaceIntervals(cal.id, 'VEVENT', series, {
        intervals: [{ start: 5000, end: 5010, precision: 'exact' }], completeUntil: 10_000, tag: null,
      });
      assert.deepEqual(await found(4000, 6000), { 'series.ics': true });
      assert.deepEqual(await found(6000, 9000), {});
      assert.deepEqual(await found(20_000, 30_000), { 'series.ics': false });
      assert.deepEqual(await found(20_000, null), { 'series.ics': false });
      await store.replaceIntervals(cal.id, 'VEVENT', series, { intervals: [], completeUntil: null, tag: null });
      assert.deepEqual(await found(20_000, null), {});
    });

    await t.test('exactForTag decides only for a query with the same tag', async () => {
      const floating = await put('floating.ics');
      await store.replaceIntervals(cal.id, 'VEVENT', floating, {
        intervals: [{ start: 100_000, end: 200_000, precision: 'exactForTag' }], completeUntil: null, tag: 'Europe/Paris',
      });
      const slack = 50_000;
      assert.deepEqual(await found(150_000, 160_000, { tag: 'Europe/Paris', slack }), { 'floating.ics': true });
      assert.deepEqual(await found(150_000, 160_000, { tag: 'America/New_York', slack }), { 'floating.ics': false });
      assert.deepEqual(await found(150_000, 160_000, { tag: null, slack }), { 'floating.ics': false });
      // Just past the row: no match with its tag, a candidate within the slack of another.
      assert.deepEqual(await found(220_000, 230_000, { tag: 'Europe/Paris', slack }), {});
      assert.deepEqual(await found(220_000, 230_000, { tag: 'America/New_York', slack }), { 'floating.ics': false });
      assert.deepEqual(await found(260_000, 270_000, { tag: 'America/New_York', slack }), {});
      await store.deleteObject(cal.id, 'floating.ics');
    });

    await t.test('every level, unbounded intervals, and thousands of rows', async () => {
      const week = 7 * 86_400_000;
      const wide = await put('wide.ics');
      const open = await put('open.ics');
      const many = await put('many.ics');
      await store.replaceIntervals(cal.id, 'VEVENT', wide, {
        ...complete, intervals: [1, 8, 64, 512, 4096, 10_000].map((w) => ({ start: 10 * week, end: (10 + w) * week, precision: 'exact' })),
      });
      await store.replaceIntervals(cal.id, 'VEVENT', open, {
        ...complete, intervals: [{ start: 0, end: UNBOUNDED, precision: 'exact' }, { start: -UNBOUNDED, end: -1e15, precision: 'exact' }],
      });
      await store.replaceIntervals(cal.id, 'VEVENT', many, {
        ...complete, intervals: Array.from({ length: 2500 }, (_, i) => ({ start: 1e14 + i * 1000, end: 1e14 + i * 1000 + 10, precision: 'exact' })),
      });
      for (const w of [0.5, 4, 40, 400, 4000, 9000]) {
        const at = (10 + w) * week;
        assert.deepEqual(await found(at, at + 1), { 'open.ics': true, 'wide.ics': true }, `${w} weeks in`);
      }
      assert.deepEqual(await found(-2e15, -1.5e15), { 'open.ics': true });
      assert.deepEqual(await found(1e14 + 1_234_005, 1e14 + 1_234_006), { 'many.ics': true, 'open.ics': true });
      assert.deepEqual(await found(1e14 + 1_234_500, 1e14 + 1_234_600), { 'open.ics': true });
    });
  });
});
