import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOK, cr, multigetBody, ownCard, VCARD } from './helpers/carddav.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { cs, d, multistatus, NS, propHref, propText, propfindBody, syncTokenOf, XML_HEADER } from './helpers/xml.js';

const HOME = '/dav/addressbooks/alice/';

function syncBody(token: string): string {
  return `${XML_HEADER}<D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
}

describe('CardDAV: a client account flow', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('advertises addressbook in the DAV header', async () => {
    const r = await s.request('OPTIONS', BOOK);
    assert.match(r.headers.get('dav') ?? '', /\baddressbook\b/);
  });

  it('discovers, lists, syncs, creates, updates and deletes like DAVx5 or Apple Contacts', async () => {
    // /.well-known/carddav → DAV root → principal → addressbook-home-set
    const wk = await s.request('PROPFIND', '/.well-known/carddav', { user: null });
    assert.equal(wk.status, 301);
    const root = wk.headers.get('location')!;
    const me = multistatus((await s.request('PROPFIND', root, { headers: { Depth: '0' }, body: propfindBody('<D:current-user-principal/>') })).text);
    const principal = propHref(me.get(root), d('current-user-principal'))!;
    const p = multistatus((await s.request('PROPFIND', principal, { headers: { Depth: '0' }, body: propfindBody('<CR:addressbook-home-set/>') })).text);
    const home = propHref(p.get(principal), cr('addressbook-home-set'));
    assert.equal(home, HOME);

    // Depth 1 on the home: the default address book with what clients show and sync by
    const listing = await s.request('PROPFIND', home!, {
      headers: { Depth: '1' },
      body: propfindBody('<D:displayname/><D:resourcetype/><CS:getctag/><D:sync-token/><D:supported-report-set/><CR:supported-address-data/><CR:max-resource-size/><D:add-member/>'),
    });
    assert.equal(listing.status, 207);
    assert.match(listing.text, /HTTP\/1\.1 200 OK/);
    const book = multistatus(listing.text).get(BOOK)!;
    assert.equal(propText(book, d('displayname')), 'Contacts');
    assert.ok(book.props.get(d('resourcetype'))!.el.children.some((c) => c.name === cr('addressbook')));
    const ctag = propText(book, cs('getctag'))!;
    const token = propText(book, d('sync-token'))!;
    assert.ok(ctag && token);
    const reports = book.props.get(d('supported-report-set'))!.el.children.map((sr) => sr.children[0]!.children[0]!.name);
    for (const name of [cr('addressbook-multiget'), cr('addressbook-query'), d('sync-collection')]) assert.ok(reports.includes(name), name);
    assert.ok(!reports.some((name) => name.startsWith(`{${NS.C}}`) && name !== `{${NS.C}}calendar-multiget`), 'no CalDAV reports but the unscoped calendar-multiget');
    const types = book.props.get(cr('supported-address-data'))!.el.children.map((t) => `${t.attrs['content-type']} ${t.attrs.version}`);
    assert.deepEqual(types, ['text/vcard 3.0', 'text/vcard 4.0']);
    assert.ok(Number(propText(book, cr('max-resource-size'))) > 0);
    assert.equal(propHref(book, d('add-member')), BOOK);

    // PUT a card, then etags by Depth 1 and the data by addressbook-multiget (vCard 3.0)
    const alice = ownCard('card-v3-alice.vcf');
    const put = await s.request('PUT', `${BOOK}alice.vcf`, { body: alice, headers: { ...VCARD, 'If-None-Match': '*' } });
    assert.equal(put.status, 201);
    const etags = multistatus((await s.request('PROPFIND', BOOK, { headers: { Depth: '1' }, body: propfindBody('<D:getetag/>') })).text);
    assert.equal(propText(etags.get(`${BOOK}alice.vcf`), d('getetag')), put.headers.get('etag'));
    const mg = multistatus((await s.request('REPORT', BOOK, { headers: { Depth: '1' }, body: multigetBody([`${BOOK}alice.vcf`], `<CR:address-data content-type="text/vcard" version="3.0"/>`) })).text);
    assert.equal(propText(mg.get(`${BOOK}alice.vcf`), cr('address-data')), alice.toString('utf8'));

    // create by POST (add-member): the server names it
    const bob = ownCard('card-v4-bob.vcf');
    const post = await s.request('POST', BOOK, { body: bob, headers: VCARD });
    assert.equal(post.status, 201);
    const location = post.headers.get('location')!;
    assert.match(location, /^\/dav\/addressbooks\/alice\/default\/[0-9a-f-]{36}\.vcf$/);
    const created = await s.request('GET', location);
    assert.equal(created.status, 200);
    assert.deepEqual(created.bytes, bob);
    assert.equal(created.headers.get('etag'), post.headers.get('etag'));

    // the client's initial sync: everything, and a token to continue from
    const initial = await s.request('REPORT', BOOK, { body: syncBody('') });
    assert.equal(multistatus(initial.text).size, 2);
    const synced = syncTokenOf(initial.text)!;

    // update with If-Match; a stale ETag gets 412
    const edited = Buffer.from(bob.toString('utf8').replace('ORG:Builders Inc.', 'ORG:Builders Ltd.'));
    const upd = await s.request('PUT', location, { body: edited, headers: { ...VCARD, 'If-Match': post.headers.get('etag')! } });
    assert.equal(upd.status, 204);
    const stale = await s.request('PUT', location, { body: bob, headers: { ...VCARD, 'If-Match': post.headers.get('etag')! } });
    assert.equal(stale.status, 412);
    const exists = await s.request('PUT', location, { body: bob, headers: { ...VCARD, 'If-None-Match': '*' } });
    assert.equal(exists.status, 412);

    // delete, and the deletion reported by sync-collection since the client's token
    assert.equal((await s.request('DELETE', location)).status, 204);
    const sync = await s.request('REPORT', BOOK, { body: syncBody(synced) });
    assert.equal(sync.status, 207);
    const changes = multistatus(sync.text);
    assert.equal(changes.get(location)?.status, 404);
    assert.ok(!changes.has(`${BOOK}alice.vcf`), 'unchanged cards are not reported');
    assert.notEqual(syncTokenOf(sync.text), synced);
    assert.notEqual(synced, token);
    const after = multistatus((await s.request('PROPFIND', BOOK, { headers: { Depth: '0' }, body: propfindBody('<CS:getctag/>') })).text);
    assert.notEqual(propText(after.get(BOOK), cs('getctag')), ctag);
  });

  it('GET on the address book exports every card', async () => {
    const r = await s.request('GET', BOOK);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/vcard/);
    assert.match(r.text, /UID:alice-1/);
  });
});

describe('CardDAV: address books', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('extended MKCOL with displayname and addressbook-description, PROPPATCH, DELETE', async () => {
    const body = `${XML_HEADER}<D:mkcol xmlns:D="DAV:" xmlns:CR="${NS.CR}"><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><D:displayname>Work</D:displayname><CR:addressbook-description>Colleagues</CR:addressbook-description></D:prop></D:set></D:mkcol>`;
    const mk = await s.request('MKCOL', `${HOME}work/`, { body, headers: { 'Content-Type': 'application/xml' } });
    assert.equal(mk.status, 201);
    const read = () => s.request('PROPFIND', `${HOME}work/`, { headers: { Depth: '0' }, body: propfindBody('<D:displayname/><CR:addressbook-description/><X:color xmlns:X="urn:x"/>') });
    let r = multistatus((await read()).text).get(`${HOME}work/`);
    assert.equal(propText(r, d('displayname')), 'Work');
    assert.equal(propText(r, cr('addressbook-description')), 'Colleagues');

    const patch = `${XML_HEADER}<D:propertyupdate xmlns:D="DAV:" xmlns:CR="${NS.CR}" xmlns:X="urn:x"><D:set><D:prop><D:displayname>Office</D:displayname><CR:addressbook-description>Everyone at work</CR:addressbook-description><X:color>blue</X:color></D:prop></D:set></D:propertyupdate>`;
    assert.equal((await s.request('PROPPATCH', `${HOME}work/`, { body: patch })).status, 207);
    r = multistatus((await read()).text).get(`${HOME}work/`);
    assert.equal(propText(r, d('displayname')), 'Office');
    assert.equal(propText(r, cr('addressbook-description')), 'Everyone at work');
    assert.equal(propText(r, '{urn:x}color'), 'blue');

    const listing = multistatus((await s.request('PROPFIND', HOME, { headers: { Depth: '1' }, body: propfindBody('<D:displayname/>') })).text);
    assert.ok(listing.has(BOOK) && listing.has(`${HOME}work/`));
    assert.equal((await s.request('DELETE', `${HOME}work/`)).status, 204);
    assert.equal((await s.request('PROPFIND', `${HOME}work/`, { headers: { Depth: '0' } })).status, 404);
  });
});

describe('CardDAV: storing cards', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ DAVENPORT_MAX_RESOURCE_BYTES: '20000' });
  });
  after(() => s.close());

  const put = (name: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    s.request('PUT', `${BOOK}${name}`, { body, headers: { ...VCARD, ...headers } });

  it('keeps the bytes as sent and the ETag of them', async () => {
    const card = ownCard('card-v4-bob.vcf');
    const r = await put('bob.vcf', card);
    assert.equal(r.status, 201);
    const got = await s.request('GET', `${BOOK}bob.vcf`);
    assert.deepEqual(got.bytes, card);
    assert.equal(got.headers.get('etag'), r.headers.get('etag'));
    assert.match(got.headers.get('content-type') ?? '', /^text\/vcard/);
  });

  it('refuses a card without UID with valid-address-data, and POST gives it one', async () => {
    const card = ownCard('card-v3-no-uid.vcf');
    const r = await put('nouid.vcf', card);
    assert.equal(r.status, 403);
    assert.match(r.text, /valid-address-data/);
    assert.match(r.text, /UID is missing/);
    const post = await s.request('POST', BOOK, { body: card, headers: VCARD });
    assert.equal(post.status, 201);
    const got = (await s.request('GET', post.headers.get('location')!)).bytes.toString('latin1');
    const uid = /\r\nUID:urn:uuid:[0-9a-f-]{36}\r\n/.exec(got);
    assert.ok(uid, got);
    // everything else byte for byte: the UID line is inserted before END:VCARD
    assert.equal(got.replace(uid[0], '\r\n'), card.toString('latin1'));
  });

  it('refuses two cards in one resource, no VCARD, and a card without FN', async () => {
    const two = Buffer.concat([ownCard('card-v4-bob.vcf'), ownCard('card-v3-alice.vcf')]);
    const cases: [string, string | Buffer, RegExp][] = [
      ['two.vcf', two, /exactly one/],
      ['cal.vcf', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n', /VCALENDAR.*not.*VCARD/],
      ['nofn.vcf', 'BEGIN:VCARD\r\nVERSION:4.0\r\nUID:x\r\nEND:VCARD\r\n', /FN is missing/],
      ['junk.vcf', 'hello', /not a valid vCard|no vCard/],
      ['v21.vcf', 'BEGIN:VCARD\r\nVERSION:2.1\r\nUID:x\r\nFN:x\r\nN:x\r\nEND:VCARD\r\n', /2\.1 is not supported/],
      ['deep.vcf', `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:d\r\nFN:d\r\n${'BEGIN:X-A\r\n'.repeat(100)}${'END:X-A\r\n'.repeat(100)}END:VCARD\r\n`, /nested deeper/],
    ];
    for (const [name, body, reason] of cases) {
      const r = await put(name, body);
      assert.equal(r.status, 403, name);
      assert.match(r.text, /valid-address-data/, name);
      assert.match(r.text, reason, name);
    }
  });

  it('no-uid-conflict names the card that has the UID', async () => {
    const r = await put('bob-again.vcf', ownCard('card-v4-bob.vcf'));
    assert.equal(r.status, 409);
    assert.match(r.text, /no-uid-conflict/);
    assert.match(r.text, /\/dav\/addressbooks\/alice\/default\/bob\.vcf/);
  });

  it('refuses a card over max-resource-size with 413 and stores nothing', async () => {
    const photo = 'A'.repeat(30_000);
    const big = `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:big\r\nFN:Big\r\nN:Big;;;;\r\nPHOTO;ENCODING=b;TYPE=JPEG:${photo}\r\nEND:VCARD\r\n`;
    const r = await put('big.vcf', big);
    assert.equal(r.status, 413);
    assert.match(r.text, /max-resource-size/);
    assert.equal((await s.request('GET', `${BOOK}big.vcf`)).status, 404);
  });

  it('parts of a card with a vCard 2.1-style PHOTO;BASE64 (as Apple writes it) are answered, not a crash', async () => {
    const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID:photo-1\r\nFN:Photo Person\r\nN:Person;Photo;;;\r\nPHOTO;BASE64:/9j/4AAQSkZJRgABAQAAAQABAAD/4QBYRXhpZgAATU0AKgAA\r\n AAgAAgESAAMAAAABAAEAAIdpAAQAAAABAAAAJgAAAAAAA6ABAAMAAAAB\r\nEND:VCARD\r\n';
    assert.equal((await put('photo.vcf', card, VCARD)).status, 201);
    for (const selection of ['<CR:prop name="FN"/>', '<CR:prop name="PHOTO"/>']) {
      const r = await s.request('REPORT', BOOK, { body: multigetBody([`${BOOK}photo.vcf`], `<CR:address-data>${selection}</CR:address-data>`) });
      assert.equal(r.status, 207, r.text);
      assert.match(propText(multistatus(r.text).get(`${BOOK}photo.vcf`), cr('address-data'))!, /^BEGIN:VCARD\r\nVERSION:3\.0\r\n/);
    }
  });

  it('stores Apple and vCard 4 groups intact', async () => {
    for (const name of ['card-v3-apple-group.vcf', 'card-v4-group.vcf']) {
      const card = ownCard(name);
      assert.equal((await put(name, card)).status, 201);
      assert.deepEqual((await s.request('GET', `${BOOK}${name}`)).bytes, card);
    }
  });
});
