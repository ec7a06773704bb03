import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers/server.js';
import { propfindBody } from './helpers/xml.js';

describe('request limits and hostile XML', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ DAVENPORT_MAX_REQUEST_BYTES: '4096', DAVENPORT_MAX_RESOURCE_BYTES: '4096', DAVENPORT_MAX_XML_DEPTH: '20', DAVENPORT_MAX_XML_ELEMENTS: '200' });
  });
  after(() => s.close());

  const propfind = (body: string) => s.request('PROPFIND', '/dav/calendars/alice/', { headers: { Depth: '0' }, body });

  it('a body over the configured limit is refused with 413', async () => {
    const r = await propfind(propfindBody(`<D:displayname/><!--${'x'.repeat(5000)}-->`));
    assert.equal(r.status, 413);
  });

  it('a DTD or an external entity is refused with 400', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:propfind>';
    const r = await propfind(xxe);
    assert.equal(r.status, 400);
    assert.match(r.text, /DOCTYPE/);
    assert.doesNotMatch(r.text, /root:/);
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><D:propfind xmlns:D="DAV:"><D:prop>&lol2;</D:prop></D:propfind>';
    assert.equal((await propfind(bomb)).status, 400);
  });

  it('malformed XML is 400 with a reason', async () => {
    for (const body of ['<D:propfind xmlns:D="DAV:"><D:prop>', '<a><b></a>', 'not xml at all', '<D:propfind xmlns:D="DAV:"/><second/>']) {
      const r = await propfind(body);
      assert.equal(r.status, 400, `${body} -> ${r.text}`);
      assert.match(r.text, /Malformed XML/);
    }
    const unknownEntity = await propfind('<D:propfind xmlns:D="DAV:"><D:prop>&nbsp;</D:prop></D:propfind>');
    assert.equal(unknownEntity.status, 400);
  });

  it('XML nested too deep or with too many elements is refused', async () => {
    const deep = `<D:propfind xmlns:D="DAV:"><D:prop>${'<x>'.repeat(30)}${'</x>'.repeat(30)}</D:prop></D:propfind>`;
    assert.equal((await propfind(deep)).status, 400);
    const wide = propfindBody('<a/>'.repeat(250));
    assert.equal((await propfind(wide)).status, 400);
  });

  it('a bad Depth header is 400', async () => {
    const r = await s.request('PROPFIND', '/dav/calendars/alice/', { headers: { Depth: '2' }, body: propfindBody('<D:displayname/>') });
    assert.equal(r.status, 400);
  });

  it('an unsupported method is 405 with Allow', async () => {
    const r = await s.request('LOCK', '/dav/calendars/alice/default/');
    assert.equal(r.status, 405);
    assert.match(r.headers.get('allow') ?? '', /PROPFIND/);
  });

  /** A PUT over raw HTTP that keeps sending `chunks` KiB unless answered first; resolves with the status it got, or the error. */
  const rawPut = (headers: Record<string, string>, chunks: number) =>
    new Promise<number | string>((resolve) => {
      const url = new URL('/dav/calendars/alice/default/big.ics', s.url);
      const auth = `Basic ${Buffer.from('alice:alice-secret').toString('base64')}`;
      const req = http.request(url, { method: 'PUT', headers: { Authorization: auth, ...headers } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (e) => resolve(e.message));
      const send = (left: number) => {
        if (left === 0) return void req.end();
        req.write(Buffer.alloc(1024, 'x'), () => setImmediate(() => send(left - 1)));
      };
      if (headers.Expect) req.on('continue', () => send(chunks));
      else send(chunks);
    });

  it('an oversize chunked upload, or one sent after 100 Continue, gets its 413, not a reset', async () => {
    assert.equal(await rawPut({ 'Transfer-Encoding': 'chunked' }, 64), 413);
    assert.equal(await rawPut({ 'Content-Length': String(64 * 1024), Expect: '100-continue' }, 64), 413);
  });

  it('the server keeps answering after all of this', async () => {
    assert.equal((await propfind(propfindBody('<D:displayname/>'))).status, 207);
  });
});
