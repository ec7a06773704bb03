// The store's transactions on a real database (SQLite, or PostgreSQL when the suite
// runs against it): a failure anywhere in a transaction leaves nothing behind, sync
// token included; a write from outside waits for an open transaction instead of
// joining it; and nobody reads a transaction's writes before it commits.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTestStore, TEST_ENGINE } from './helpers/store.js';

const write = (uri: string) => ({ uri, uid: uri, etag: `"${uri}"`, component: 'VEVENT', data: Buffer.from(uri) });

test('a failure after a write in a transaction rolls back the write and its change row', async (t) => {
  const store = await openTestStore(t);
  const user = await store.createUser('carol', 'x', null, null);
  const cal = (await store.createCollection(user.id, 'calendar', 'work', {}))!;

  await store.putObject(cal.id, write('kept.ics'));
  const before = (await store.getCollection(user.id, 'calendar', 'work'))!.synctoken;

  await assert.rejects(store.transaction(async (tx) => {
    await tx.putObject(cal.id, write('lost.ics'));
    assert.ok(await tx.getObjectMeta(cal.id, 'lost.ics'), 'visible inside the transaction');
    throw new Error('precondition failed after the write');
  }), /precondition failed/);

  assert.equal(await store.getObjectMeta(cal.id, 'lost.ics'), undefined);
  assert.ok(await store.getObjectMeta(cal.id, 'kept.ics'));
  assert.equal((await store.getCollection(user.id, 'calendar', 'work'))!.synctoken, before, 'sync token not bumped');
  assert.deepEqual(await store.changesSince(cal.id, before), []);

  // The store is usable afterwards: the next transaction commits.
  await store.transaction((tx) => tx.putObject(cal.id, write('next.ics')));
  assert.ok(await store.getObjectMeta(cal.id, 'next.ics'));
});

test('an open transaction is invisible to readers and not joined by other writers', async (t) => {
  const store = await openTestStore(t);
  const user = await store.createUser('dave', 'x', null, null);
  const cal = (await store.createCollection(user.id, 'calendar', 'home', {}))!;

  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let inside!: () => void;
  const entered = new Promise<void>((resolve) => (inside = resolve));
  const failing = store.transaction(async (tx) => {
    await tx.lockCollection(cal.id);
    await tx.putObject(cal.id, write('uncommitted.ics'));
    inside();
    await held;
    throw new Error('rolled back');
  });
  await entered;

  assert.equal(await store.getObjectMeta(cal.id, 'uncommitted.ics'), undefined, 'readers see committed data only');
  // A write from outside must not land inside the doomed transaction.
  const outside = store.putObject(cal.id, write('outside.ics'));
  release();
  await assert.rejects(failing, /rolled back/);
  await outside;

  assert.equal(await store.getObjectMeta(cal.id, 'uncommitted.ics'), undefined);
  assert.ok(await store.getObjectMeta(cal.id, 'outside.ics'), 'the outside write committed on its own');
  assert.deepEqual((await store.changesSince(cal.id, 0))!.map((c) => [c.uri, c.synctoken]), [['outside.ics', 1]]);
});

test('transactions started together commit independently: one failing undoes only itself', async (t) => {
  // On SQLite these share one COMMIT (group-commit.ts), each in its own savepoint.
  const store = await openTestStore(t);
  const user = await store.createUser('erin', 'x', null, null);
  const cal = (await store.createCollection(user.id, 'calendar', 'shared', {}))!;
  const results = await Promise.allSettled([
    store.transaction((tx) => tx.putObject(cal.id, write('first.ics'))),
    store.transaction(async (tx) => {
      await tx.putObject(cal.id, write('failed.ics'));
      throw new Error('refused');
    }),
    store.putObject(cal.id, write('outside.ics')),
    store.transaction((tx) => tx.putObject(cal.id, write('last.ics'))),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.equal(await store.getObjectMeta(cal.id, 'failed.ics'), undefined);
  const changes = (await store.changesSince(cal.id, 0))!;
  assert.deepEqual(changes.map((c) => c.uri).sort(), ['first.ics', 'last.ics', 'outside.ics']);
  assert.deepEqual(changes.map((c) => c.synctoken), [1, 2, 3], 'the failed write left no gap in the tokens');
});

test('a read right after a write commits sees it, though the reads of its turn share a snapshot', async (t) => {
  // On SQLite the reads of one turn share a read transaction (read-snapshot.ts). Here
  // one begins after the write's COMMIT was already due at the end of the same turn:
  // the COMMIT must end it, or the read after the write would not see it.
  const store = await openTestStore(t);
  const user = await store.createUser('fay', 'x', null, null);
  const cal = (await store.createCollection(user.id, 'calendar', 'turn', {}))!;

  let inside!: () => void;
  const entered = new Promise<void>((resolve) => (inside = resolve));
  const written = store.transaction(async (tx) => {
    await tx.putObject(cal.id, write('fresh.ics'));
    inside();
  });
  await entered;
  const early = await store.getObjectMeta(cal.id, 'fresh.ics');
  // SQLite's COMMIT waits for the end of the turn; PostgreSQL's may already be through.
  if (TEST_ENGINE === 'sqlite') assert.equal(early, undefined, 'not committed yet');
  await written;
  assert.ok(await store.getObjectMeta(cal.id, 'fresh.ics'), 'visible to the next read');
  assert.equal((await store.getCollection(user.id, 'calendar', 'turn'))!.synctoken, 1);
});
