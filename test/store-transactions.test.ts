// The store's transactions on a real SQLite file: a write nested inside another
// transaction (PUT's precondition check around putObject) joins it, so a failure
// anywhere in the outer one leaves nothing behind, sync token included.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../src/store/sqlite.js';

test('a failure after a nested write rolls back the write and its change row', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'davenport-store-'));
  const store = new SqliteStore(path.join(dir, 'store.sqlite'));
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const user = store.createUser('carol', 'x', null, null);
  const cal = store.createCollection(user.id, 'calendar', 'work', {});
  const write = (uri: string) => ({ uri, uid: uri, etag: `"${uri}"`, component: 'VEVENT', data: Buffer.from(uri) });

  store.putObject(cal.id, write('kept.ics'));
  const before = store.getCollection(user.id, 'calendar', 'work')!.synctoken;

  assert.throws(() => store.transaction(() => {
    store.putObject(cal.id, write('lost.ics'));
    assert.ok(store.getObjectMeta(cal.id, 'lost.ics'), 'visible inside the transaction');
    throw new Error('precondition failed after the write');
  }), /precondition failed/);

  assert.equal(store.getObjectMeta(cal.id, 'lost.ics'), undefined);
  assert.ok(store.getObjectMeta(cal.id, 'kept.ics'));
  assert.equal(store.getCollection(user.id, 'calendar', 'work')!.synctoken, before, 'sync token not bumped');
  assert.deepEqual(store.changesSince(cal.id, before).map((c) => c.uri), []);

  // The store is usable afterwards: the next transaction commits.
  store.transaction(() => store.putObject(cal.id, write('next.ics')));
  assert.ok(store.getObjectMeta(cal.id, 'next.ics'));
});
