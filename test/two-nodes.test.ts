// Two nodes of one deployment on one database (the suite's engine; on PostgreSQL this
// is the supported multi-node set-up): what one node writes the other serves with the
// same ETag, ctag and sync token, and conditional writes racing across the nodes are
// decided by the database, not by either node's memory.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { cs, d, multistatus, propfindBody, propText, syncTokenOf } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';

describe('two nodes on one database', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer();
    b = await a.startAnotherNode();
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  const state = async (node: TestServer) => {
    const r = await node.request('PROPFIND', CAL, { headers: { Depth: '0' }, body: propfindBody('<D:sync-token/><CS:getctag/>') });
    assert.equal(r.status, 207, r.text);
    const self = multistatus(r.text).get(CAL);
    return { token: propText(self, d('sync-token')), ctag: propText(self, cs('getctag')) };
  };
  /** `variant` makes the body, and so the ETag, differ between writers and rounds. */
  const put = (node: TestServer, uid: string, headers: Record<string, string> = {}, variant = '') =>
    node.request('PUT', `${CAL}${uid}.ics`, { body: event(uid, '20240301T100000Z', '20240301T103000Z', [`DESCRIPTION:${variant}`]), headers });

  it('serves what the other node wrote, with the same ETag, ctag and sync token', async () => {
    const created = await put(a, 'from-a');
    assert.equal(created.status, 201);
    const got = await b.request('GET', `${CAL}from-a.ics`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('etag'), created.headers.get('etag'));
    assert.deepEqual(await state(a), await state(b));

    const before = (await state(b)).token!;
    assert.equal((await put(b, 'from-b')).status, 201);
    const sync = await a.request('REPORT', CAL, {
      headers: { Depth: '1' },
      body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${before}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
    });
    assert.equal(sync.status, 207);
    assert.deepEqual([...multistatus(sync.text).keys()], [`${CAL}from-b.ics`]);
    assert.equal(syncTokenOf(sync.text), (await state(b)).token);
  });

  it('lets exactly one of two racing creates (If-None-Match: *) win', async () => {
    for (let round = 0; round < 10; round++) {
      const uid = `race-create-${round}`;
      const results = await Promise.all([put(a, uid, { 'If-None-Match': '*' }, 'a'), put(b, uid, { 'If-None-Match': '*' }, 'b')]);
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 412], `round ${round}`);
    }
  });

  it('lets exactly one of two racing updates with the same If-Match win', async () => {
    const first = await put(a, 'race-update');
    let etag = first.headers.get('etag')!;
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all([
        put(a, 'race-update', { 'If-Match': etag }, `a${round}`),
        put(b, 'race-update', { 'If-Match': etag }, `b${round}`),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [204, 412], `round ${round}`);
      etag = results.find((r) => r.status === 204)!.headers.get('etag')!;
    }
  });

  it('numbers concurrent writes from both nodes without gaps or repeats', async () => {
    const start = await state(a);
    const writes = [];
    for (let i = 0; i < 20; i++) writes.push(put(i % 2 ? a : b, `burst-${i}`));
    assert.deepEqual(new Set((await Promise.all(writes)).map((r) => r.status)), new Set([201]));
    const sync = await b.request('REPORT', CAL, {
      headers: { Depth: '1' },
      body: `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${start.token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`,
    });
    assert.equal(multistatus(sync.text).size, 20);
    const counter = (token: string) => Number(token.slice(token.lastIndexOf(':') + 1));
    assert.equal(counter(syncTokenOf(sync.text)!) - counter(start.token!), 20);
    assert.deepEqual(await state(a), await state(b));
  });
});
