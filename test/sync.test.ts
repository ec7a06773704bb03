import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers/server.js';
import { event } from './helpers/ics.js';
import { d, multistatus, parse, propText, syncTokenOf, type MultiResponse } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';

function syncBody(token: string, extra = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level>${extra}<D:prop><D:getetag/></D:prop></D:sync-collection>`;
}

describe('sync-collection (RFC 6578)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  const sync = async (token: string, depth = '1', extra = '') => {
    const r = await s.request('REPORT', CAL, { headers: { Depth: depth }, body: syncBody(token, extra) });
    assert.equal(r.status, 207, r.text);
    return { token: syncTokenOf(r.text)!, responses: multistatus(r.text) };
  };
  const put = (uid: string, hour = '10') => s.request('PUT', `${CAL}${uid}.ics`, { body: event(uid, `20240201T${hour}0000Z`, `20240201T${hour}3000Z`) });
  const objectsOf = (m: Map<string, MultiResponse>) => [...m.keys()].filter((h) => h !== CAL).sort();

  it('the sync flow: remember a token, change things, get exactly those changes', async () => {
    for (const uid of ['a', 'b', 'c']) assert.equal((await put(uid)).status, 201);
    const initial = await sync('');
    assert.deepEqual(objectsOf(initial.responses), [`${CAL}a.ics`, `${CAL}b.ics`, `${CAL}c.ics`]);
    for (const r of initial.responses.values()) assert.ok(propText(r, d('getetag')));

    await put('d');              // added
    await put('a', '11');        // changed
    assert.equal((await s.request('DELETE', `${CAL}b.ics`)).status, 204); // deleted
    const delta = await sync(initial.token);
    assert.deepEqual(objectsOf(delta.responses), [`${CAL}a.ics`, `${CAL}b.ics`, `${CAL}d.ics`]);
    assert.equal(delta.responses.get(`${CAL}b.ics`)!.status, 404);
    assert.equal(delta.responses.get(`${CAL}b.ics`)!.props.size, 0);
    const etagA = (await s.request('GET', `${CAL}a.ics`)).headers.get('etag');
    assert.equal(propText(delta.responses.get(`${CAL}a.ics`), d('getetag')), etagA);

    const nothing = await sync(delta.token);
    assert.equal(objectsOf(nothing.responses).length, 0);
    assert.equal(nothing.token, delta.token);

    // a resource created then deleted between two syncs shows up as deleted only
    await put('e');
    await s.request('DELETE', `${CAL}e.ics`);
    const gone = await sync(delta.token);
    assert.deepEqual(objectsOf(gone.responses), [`${CAL}e.ics`]);
    assert.equal(gone.responses.get(`${CAL}e.ics`)!.status, 404);

    // the initial sync never lists deleted resources
    assert.deepEqual(objectsOf((await sync('')).responses), [`${CAL}a.ics`, `${CAL}c.ics`, `${CAL}d.ics`]);
  });

  it('works with Depth 0 and without Depth, as clients send it', async () => {
    const a = await sync('', '0');
    const b = await s.request('REPORT', CAL, { body: syncBody('') });
    assert.equal(b.status, 207);
    assert.deepEqual(objectsOf(a.responses), objectsOf(multistatus(b.text)));
  });

  it('an unknown or foreign token is 403 valid-sync-token', async () => {
    for (const token of ['urn:davenport:sync:1:999999', 'http://example.com/sync/1', 'urn:davenport:sync:99:1', 'garbage']) {
      const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: syncBody(token) });
      assert.equal(r.status, 403, token);
      assert.ok(parse(r.text).children.some((x) => x.name === d('valid-sync-token')), r.text);
    }
  });

  it('limit truncates with 507 and a token that continues where it stopped', async () => {
    const start = (await sync('')).token;
    for (const uid of ['l1', 'l2', 'l3', 'l4', 'l5']) await put(uid);
    const seen: string[] = [];
    let token = start;
    for (let page = 0; page < 10; page++) {
      const r = await sync(token, '1', '<D:limit><D:nresults>2</D:nresults></D:limit>');
      const self = r.responses.get(CAL);
      seen.push(...objectsOf(r.responses));
      token = r.token;
      if (!self) break;
      assert.equal(self.status, 507);
      assert.ok(objectsOf(r.responses).length <= 2);
    }
    assert.deepEqual(seen.sort(), ['l1', 'l2', 'l3', 'l4', 'l5'].map((u) => `${CAL}${u}.ics`));
    assert.equal(objectsOf((await sync(token)).responses).length, 0);
  });

  it('the sync token property and the ctag follow the same counter', async () => {
    const r = await s.request('PROPFIND', CAL, { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>' });
    const token = propText(multistatus(r.text).get(CAL), d('sync-token'))!;
    assert.equal(objectsOf((await sync(token)).responses).length, 0);
    await put('t1');
    assert.deepEqual(objectsOf((await sync(token)).responses), [`${CAL}t1.ics`]);
  });

  // Last: pruning forgets the change log of every collection on this server.
  it('after the change log is pruned, older tokens are 403 valid-sync-token; newer ones and initial syncs still work', async () => {
    const old = (await sync('')).token;
    await put('p1');
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok((await s.store.pruneChanges(Date.now())) > 0);
    const kept = (await sync('')).token;
    await put('p2');

    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: syncBody(old) });
    assert.equal(r.status, 403);
    assert.ok(parse(r.text).children.some((x) => x.name === d('valid-sync-token')), r.text);
    assert.deepEqual(objectsOf((await sync(kept)).responses), [`${CAL}p2.ics`]);
    const limited = await sync('', '1', '<D:limit><D:nresults>1</D:nresults></D:limit>');
    assert.ok(objectsOf(limited.responses).includes(`${CAL}p1.ics`), 'an initial sync lists every member');
  });
});
