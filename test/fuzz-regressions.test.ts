// What test/fuzz.test.ts found, pinned down: each of these answered 500.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ics } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('requests the fuzzer found answered 500', () => {
  let s: TestServer;
  before(async () => (s = await startTestServer()));
  after(() => s.close());

  it('concurrent MKCALENDAR and MKCOL of one name: one 201, the rest 405 (RFC 4918 §9.3.1)', async () => {
    const make = (method: string) => s.request(method, '/dav/calendars/alice/twice/');
    const statuses = (await Promise.all(['MKCALENDAR', 'MKCOL', 'MKCALENDAR', 'MKCOL'].map(make))).map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 405, 405, 405]);
  });

  it('a UID too long for the unique index is refused with max-resource-size (PostgreSQL)', async () => {
    const uid = 'u'.repeat(5000);
    const card = `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:${uid}\r\nFN:Long\r\nEND:VCARD\r\n`;
    const r = await s.request('PUT', '/dav/addressbooks/alice/default/long.vcf', { body: card, headers: { 'Content-Type': 'text/vcard' } });
    assert.equal(r.status, 403, r.text);
    assert.match(r.text, /max-resource-size/);
    const e = await s.request('PUT', '/dav/calendars/alice/default/long.ics', { body: ics(uid, ['DTSTART:20240101T000000Z']), headers: { 'Content-Type': 'text/calendar' } });
    assert.equal(e.status, 403, e.text);
  });

  it('a vCard whose UID has a VALUE of another type is refused as invalid', async () => {
    const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nUID;VALUE=DATE-TIME:contact-1\r\nFN:Test\r\nEND:VCARD\r\n';
    const r = await s.request('PUT', '/dav/addressbooks/alice/default/typed.vcf', { body: card, headers: { 'Content-Type': 'text/vcard' } });
    assert.equal(r.status, 403, r.text);
    assert.match(r.text, /valid-address-data/);
  });
});
