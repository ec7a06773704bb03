// PROPFIND Depth 1 asking for calendar-data / address-data (as simple scripts do instead
// of a multiget) answers every member with its stored bytes; allprop leaves them out.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOOK, cr, VCARD } from './helpers/carddav.js';
import { event } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { c, d, multistatus, propText, XML_HEADER } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';

/** The body the iCloud example script sends, with its own prefixes. */
const ICLOUD_STYLE = `<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop></d:propfind>`;
const ADDRESS_DATA = `${XML_HEADER}<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop></d:propfind>`;
const ALLPROP = `${XML_HEADER}<d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>`;

function card(uid: string, name: string): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${name}`, 'N:Example;Someone;;;', 'END:VCARD', ''].join('\r\n');
}

describe('PROPFIND Depth 1 with calendar-data / address-data', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  /** PUTs each body and returns its ETag, keyed by the member's path. */
  async function put(collection: string, members: Record<string, string>, headers: Record<string, string> = {}) {
    const etags = new Map<string, string>();
    for (const [name, body] of Object.entries(members)) {
      const r = await s.request('PUT', `${collection}${name}`, { body, headers });
      assert.equal(r.status, 201, r.text);
      etags.set(`${collection}${name}`, r.headers.get('etag')!);
    }
    return etags;
  }

  async function depth1(path: string, body: string) {
    const r = await s.request('PROPFIND', path, { headers: { Depth: '1' }, body });
    assert.equal(r.status, 207, r.text);
    return multistatus(r.text);
  }

  it('calendar-data: every event with its exact bytes and ETag; allprop leaves it out', async () => {
    const events = {
      'one.ics': event('one', '20240301T090000Z', '20240301T100000Z', ['DESCRIPTION:Fish & chips <b>\\, cheap']),
      'two.ics': event('two', '20240302T090000Z', '20240302T100000Z', ['SUMMARY;LANGUAGE=de:Grüße']),
    };
    const etags = await put(CAL, events);
    const found = await depth1(CAL, ICLOUD_STYLE);
    for (const [path, etag] of etags) {
      const member = found.get(path);
      assert.equal(propText(member, d('getetag')), etag, path);
      assert.equal(propText(member, c('calendar-data')), events[path.slice(CAL.length) as keyof typeof events], path);
    }
    assert.equal(found.get(CAL)?.props.get(c('calendar-data'))?.status, 404, 'the calendar itself has no calendar-data');

    const all = await depth1(CAL, ALLPROP);
    for (const path of etags.keys()) {
      assert.ok(all.get(path)?.props.has(d('getetag')), path);
      assert.ok(!all.get(path)?.props.has(c('calendar-data')), `allprop must not include calendar-data: ${path}`);
    }
  });

  it('address-data: every card with its exact bytes and ETag; allprop leaves it out', async () => {
    const cards = { 'ann.vcf': card('ann', 'Ann <Ä> & Co'), 'ben.vcf': card('ben', 'Ben') };
    const etags = await put(BOOK, cards, VCARD);
    const found = await depth1(BOOK, ADDRESS_DATA);
    for (const [path, etag] of etags) {
      const member = found.get(path);
      assert.equal(propText(member, d('getetag')), etag, path);
      assert.equal(propText(member, cr('address-data')), cards[path.slice(BOOK.length) as keyof typeof cards], path);
    }

    const all = await depth1(BOOK, ALLPROP);
    for (const path of etags.keys()) assert.ok(!all.get(path)?.props.has(cr('address-data')), `allprop: ${path}`);
  });

  it('Depth 0 on a member answers its data too', async () => {
    const body = event('three', '20240303T090000Z', '20240303T100000Z');
    await put(CAL, { 'three.ics': body });
    const r = await s.request('PROPFIND', `${CAL}three.ics`, { headers: { Depth: '0' }, body: ICLOUD_STYLE });
    assert.equal(r.status, 207, r.text);
    assert.equal(propText(multistatus(r.text).get(`${CAL}three.ics`), c('calendar-data')), body);
  });
});
