// COPY and MOVE (RFC 4918 §9.8, §9.9) of members between a user's calendars and
// address books, and MOVE of a collection within its home.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ownCard } from './helpers/carddav.js';
import { event } from './helpers/ics.js';
import { BOB, startTestServer, type TestServer } from './helpers/server.js';
import { d, multistatus, propfindBody, propText } from './helpers/xml.js';

const HOME = '/dav/calendars/alice/';
const DEFAULT = `${HOME}default/`;
const WORK = `${HOME}work/`;
const BOOK = '/dav/addressbooks/alice/default/';

describe('COPY and MOVE', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    assert.equal((await s.request('MKCALENDAR', WORK)).status, 201);
  });
  after(() => s.close());

  const put = async (path: string, body: string | Buffer) => {
    const r = await s.request('PUT', path, { body });
    assert.ok(r.status === 201 || r.status === 204, `${path}: ${r.status} ${r.text}`);
  };
  const transfer = (method: 'COPY' | 'MOVE', from: string, to: string, headers: Record<string, string> = {}) =>
    s.request(method, from, { headers: { Destination: `${s.url.replace(/\/$/, '')}${to}`, ...headers } });
  const token = async (path: string) => {
    const r = await s.request('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<D:sync-token/>') });
    return propText(multistatus(r.text).get(path), d('sync-token'))!;
  };
  const changedSince = async (path: string, since: string) => {
    const body = `<D:sync-collection xmlns:D="DAV:"><D:sync-token>${since}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
    const r = await s.request('REPORT', path, { headers: { Depth: '1' }, body });
    return [...multistatus(r.text)].map(([href, m]) => `${href} ${m.status ?? 200}`).sort();
  };

  it('MOVE takes an event to another calendar: gone here, there with its bytes and dead properties, both sync tokens moved', async () => {
    const data = event('moving', '20240301T100000Z', '20240301T110000Z');
    await put(`${DEFAULT}moving.ics`, data);
    const prop = '<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x"><D:set><D:prop><X:note>kept</X:note></D:prop></D:set></D:propertyupdate>';
    assert.equal((await s.request('PROPPATCH', `${DEFAULT}moving.ics`, { body: prop })).status, 207);
    const [fromToken, toToken] = [await token(DEFAULT), await token(WORK)];

    assert.equal((await transfer('MOVE', `${DEFAULT}moving.ics`, `${WORK}moved.ics`)).status, 201);
    assert.equal((await s.request('GET', `${DEFAULT}moving.ics`)).status, 404);
    const moved = await s.request('GET', `${WORK}moved.ics`);
    assert.equal(moved.text, data);
    const note = await s.request('PROPFIND', `${WORK}moved.ics`, { headers: { Depth: '0' }, body: propfindBody('<X:note xmlns:X="urn:x"/>') });
    assert.match(note.text, /kept/);
    assert.deepEqual(await changedSince(DEFAULT, fromToken), [`${DEFAULT}moving.ics 404`]);
    assert.deepEqual(await changedSince(WORK, toToken), [`${WORK}moved.ics 200`]);
  });

  it('COPY keeps the source; the same UID twice in one calendar is no-uid-conflict; Overwrite decides over an existing destination', async () => {
    await put(`${DEFAULT}copied.ics`, event('copied', '20240302T100000Z', '20240302T110000Z'));
    assert.equal((await transfer('COPY', `${DEFAULT}copied.ics`, `${WORK}copied.ics`)).status, 201);
    assert.equal((await s.request('GET', `${DEFAULT}copied.ics`)).status, 200);
    assert.equal((await s.request('GET', `${WORK}copied.ics`)).status, 200);

    const twice = await transfer('COPY', `${DEFAULT}copied.ics`, `${DEFAULT}again.ics`);
    assert.equal(twice.status, 409);
    assert.match(twice.text, /no-uid-conflict/);

    assert.equal((await transfer('COPY', `${DEFAULT}copied.ics`, `${WORK}copied.ics`, { Overwrite: 'F' })).status, 412);
    assert.equal((await transfer('COPY', `${DEFAULT}copied.ics`, `${WORK}copied.ics`)).status, 204);
  });

  it('MOVE within a calendar renames the member', async () => {
    await put(`${DEFAULT}old-name.ics`, event('renamed', '20240303T100000Z', '20240303T110000Z'));
    assert.equal((await transfer('MOVE', `${DEFAULT}old-name.ics`, `${DEFAULT}new-name.ics`)).status, 201);
    assert.equal((await s.request('GET', `${DEFAULT}old-name.ics`)).status, 404);
    assert.match((await s.request('GET', `${DEFAULT}new-name.ics`)).text, /UID:renamed/);
  });

  it('refuses what cannot be: a card into a calendar, another user, another server, no Destination, a missing collection', async () => {
    await put(`${BOOK}card.vcf`, ownCard('card-v3-alice.vcf'));
    const card = await transfer('MOVE', `${BOOK}card.vcf`, `${DEFAULT}card.ics`);
    assert.equal(card.status, 403);
    assert.match(card.text, /valid-calendar-data/);
    assert.equal((await s.request('GET', `${BOOK}card.vcf`)).status, 200, 'nothing was moved');

    await put(`${DEFAULT}mine.ics`, event('mine', '20240304T100000Z', '20240304T110000Z'));
    assert.equal((await transfer('COPY', `${DEFAULT}mine.ics`, `/dav/calendars/${BOB.name}/default/mine.ics`)).status, 403);
    const elsewhere = await s.request('COPY', `${DEFAULT}mine.ics`, { headers: { Destination: `https://other.example${WORK}mine.ics` } });
    assert.equal(elsewhere.status, 502);
    assert.equal((await s.request('MOVE', `${DEFAULT}mine.ics`)).status, 400);
    assert.equal((await transfer('MOVE', `${DEFAULT}mine.ics`, `${HOME}nowhere/mine.ics`)).status, 409);
    assert.equal((await transfer('MOVE', `${DEFAULT}mine.ics`, `${DEFAULT}mine.ics`)).status, 403);
    assert.equal((await s.request('GET', `${DEFAULT}mine.ics`)).status, 200);
  });

  it('MOVE renames a calendar: members and sync token go along, the old URL is gone', async () => {
    await put(`${WORK}kept.ics`, event('kept', '20240305T100000Z', '20240305T110000Z'));
    const before = await token(WORK);
    assert.equal((await transfer('MOVE', WORK, `${HOME}job/`)).status, 201);
    assert.equal((await s.request('PROPFIND', WORK, { headers: { Depth: '0' }, body: propfindBody('<D:displayname/>') })).status, 404);
    assert.equal((await s.request('GET', `${HOME}job/kept.ics`)).status, 200);
    assert.equal(await token(`${HOME}job/`), before, 'a rename is not a change of the members');
    await put(`${HOME}job/after.ics`, event('after', '20240306T100000Z', '20240306T110000Z'));
    assert.deepEqual(await changedSince(`${HOME}job/`, before), [`${HOME}job/after.ics 200`]);
    assert.equal((await transfer('MOVE', `${HOME}job/`, '/dav/addressbooks/alice/job/')).status, 403);
    assert.equal((await transfer('MOVE', `${HOME}job/`, `${HOME}inbox/`)).status, 403);
  });

  it('OPTIONS lists COPY and MOVE for members, MOVE for collections', async () => {
    const member = await s.request('OPTIONS', `${DEFAULT}mine.ics`);
    assert.match(member.headers.get('allow') ?? '', /COPY.*MOVE|MOVE.*COPY/);
    const allow = (await s.request('OPTIONS', DEFAULT)).headers.get('allow') ?? '';
    assert.match(allow, /MOVE/);
    assert.doesNotMatch(allow, /COPY/);
  });
});
