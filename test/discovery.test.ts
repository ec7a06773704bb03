import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOB, startTestServer, type TestServer } from './helpers/server.js';
import { c, cs, d, multistatus, propHref, propText, propfindBody } from './helpers/xml.js';

describe('discovery and principals', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  for (const method of ['GET', 'PROPFIND']) {
    for (const wk of ['caldav', 'carddav']) {
      it(`${method} /.well-known/${wk} redirects to the DAV root`, async () => {
        const r = await s.request(method, `/.well-known/${wk}`, { user: null });
        assert.equal(r.status, 301);
        assert.equal(r.headers.get('location'), '/dav/');
      });
    }
  }

  it('asks for credentials with Basic realm', async () => {
    const r = await s.request('PROPFIND', '/dav/', { user: null, headers: { Depth: '0' } });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm="Davenport"/);
    const wrong = await s.request('PROPFIND', '/dav/', { user: { name: 'alice', password: 'nope' } });
    assert.equal(wrong.status, 401);
  });

  it('the seed flow of a client discovering the account', async () => {
    // 1. current-user-principal on /
    const root = multistatus((await s.request('PROPFIND', '/', { headers: { Depth: '0' }, body: propfindBody('<D:current-user-principal/>') })).text);
    const principal = propHref(root.get('/'), d('current-user-principal'));
    assert.equal(principal, '/dav/principals/alice/');
    // the DAV root answers the same
    const davRoot = multistatus((await s.request('PROPFIND', '/dav/', { headers: { Depth: '0' }, body: propfindBody('<D:current-user-principal/>') })).text);
    assert.equal(propHref(davRoot.get('/dav/'), d('current-user-principal')), principal);

    // 2. the principal's properties
    const p = await s.request('PROPFIND', principal!, {
      headers: { Depth: '0' },
      body: propfindBody(
        '<D:principal-URL/><D:displayname/><C:calendar-home-set/><C:calendar-user-address-set/><C:schedule-inbox-URL/>' +
          '<C:schedule-outbox-URL/><D:resourcetype/><D:owner/><D:current-user-privilege-set/><D:supported-report-set/>',
      ),
    });
    assert.equal(p.status, 207);
    const pr = multistatus(p.text).get(principal!);
    assert.equal(propHref(pr, d('principal-URL')), principal);
    assert.equal(propText(pr, d('displayname')), 'Alice Example');
    const home = propHref(pr, c('calendar-home-set'));
    assert.equal(home, '/dav/calendars/alice/');
    const addresses = pr!.props.get(c('calendar-user-address-set'))!.el.children.map((x) => x.text);
    assert.ok(addresses.includes('mailto:alice@example.com'));
    assert.equal(propHref(pr, c('schedule-inbox-URL')), '/dav/calendars/alice/inbox/');
    assert.equal(propHref(pr, c('schedule-outbox-URL')), '/dav/calendars/alice/outbox/');
    assert.ok(pr!.props.get(d('resourcetype'))!.el.children.some((x) => x.name === d('principal')));
    assert.equal(propHref(pr, d('owner')), principal);
    assert.equal(pr!.props.get(d('supported-report-set'))!.status, 200);
    assert.ok(pr!.props.get(d('current-user-privilege-set'))!.el.children.length > 0);

    // 3. Depth 1 on the calendar home: the default calendar with displayname, resourcetype, getctag
    const list = multistatus((await s.request('PROPFIND', home!, {
      headers: { Depth: '1' },
      body: propfindBody('<D:displayname/><D:resourcetype/><CS:getctag/><D:sync-token/><C:supported-calendar-component-set/>'),
    })).text);
    const cal = list.get('/dav/calendars/alice/default/');
    assert.ok(cal, 'a default calendar exists');
    assert.ok(propText(cal, d('displayname')));
    assert.ok(cal.props.get(d('resourcetype'))!.el.children.some((x) => x.name === c('calendar')));
    const ctag = propText(cal, cs('getctag'));
    assert.ok(ctag);
    const comps = cal.props.get(c('supported-calendar-component-set'))!.el.children.map((x) => x.attrs.name);
    assert.ok(comps.includes('VEVENT') && comps.includes('VTODO'));

    // 4. objects with getetag and calendar-data
    const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:seed-1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240301T100000Z\r\nDTEND:20240301T110000Z\r\nSUMMARY:Seed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    assert.equal((await s.request('PUT', '/dav/calendars/alice/default/seed-1.ics', { body: ics, headers: { 'Content-Type': 'text/calendar' } })).status, 201);
    const after1 = multistatus((await s.request('PROPFIND', home!, { headers: { Depth: '1' }, body: propfindBody('<CS:getctag/>') })).text);
    assert.notEqual(propText(after1.get('/dav/calendars/alice/default/'), cs('getctag')), ctag, 'the ctag changes with the content');
    const objects = multistatus((await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '1' }, body: propfindBody('<D:getetag/><D:getcontenttype/>') })).text);
    const obj = objects.get('/dav/calendars/alice/default/seed-1.ics');
    assert.ok(propText(obj, d('getetag')));
    assert.match(propText(obj, d('getcontenttype'))!, /^text\/calendar/);
    const mg = multistatus((await s.request('REPORT', '/dav/calendars/alice/default/', {
      headers: { Depth: '1' },
      body: `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>/dav/calendars/alice/default/seed-1.ics</D:href></C:calendar-multiget>`,
    })).text);
    assert.equal(propText(mg.get('/dav/calendars/alice/default/seed-1.ics'), c('calendar-data')), ics);
  });

  it('OPTIONS advertises exactly what works', async () => {
    const r = await s.request('OPTIONS', '/dav/calendars/alice/default/');
    assert.equal(r.status, 200);
    const dav = (r.headers.get('dav') ?? '').split(',').map((x) => x.trim());
    for (const cls of ['1', '3', 'calendar-access', 'extended-mkcol']) assert.ok(dav.includes(cls), cls);
    assert.ok(!dav.includes('2'), 'no class 2 without LOCK');
    const allow = (r.headers.get('allow') ?? '').split(',').map((x) => x.trim());
    for (const m of ['OPTIONS', 'GET', 'PROPFIND', 'PROPPATCH', 'REPORT', 'DELETE']) assert.ok(allow.includes(m), m);
    assert.ok(!allow.includes('PUT') && !allow.includes('MKCALENDAR') && !allow.includes('LOCK'));
    const free = await s.request('OPTIONS', '/dav/calendars/alice/new-one/');
    const freeAllow = (free.headers.get('allow') ?? '').split(',').map((x) => x.trim());
    assert.ok(freeAllow.includes('MKCALENDAR') && freeAllow.includes('MKCOL'));
  });

  it('a user reaches only their own principal and homes', async () => {
    for (const path of ['/dav/principals/bob/', '/dav/calendars/bob/', '/dav/calendars/bob/default/', '/dav/calendars/bob/default/x.ics', '/dav/calendars/nobody/default/']) {
      const r = await s.request('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<D:resourcetype/>') });
      assert.equal(r.status, 403, path);
    }
    const put = await s.request('PUT', '/dav/calendars/bob/default/x.ics', { body: 'x' });
    assert.equal(put.status, 403);
    const bobOwn = await s.request('PROPFIND', '/dav/calendars/bob/', { user: BOB, headers: { Depth: '0' }, body: propfindBody('<D:resourcetype/>') });
    assert.equal(bobOwn.status, 207);
  });
});
