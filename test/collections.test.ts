import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BOB, startTestServer, type TestServer } from './helpers/server.js';
import { a, c, cs, d, multistatus, parse, propText, propfindBody, type MultiResponse } from './helpers/xml.js';

const NSDECL = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/"';
const TZ = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n';

describe('calendar collections', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  const props = (path: string, names: string, depth = '0') =>
    s.request('PROPFIND', path, { headers: { Depth: depth }, body: propfindBody(names) }).then((r) => ({ status: r.status, ms: r.status === 207 ? multistatus(r.text) : new Map<string, MultiResponse>() }));

  it('MKCALENDAR with a set of properties', async () => {
    const body = `<C:mkcalendar ${NSDECL}><D:set><D:prop>
      <D:displayname>Work</D:displayname>
      <C:calendar-description>Work things</C:calendar-description>
      <A:calendar-color>#FF0000FF</A:calendar-color>
      <A:calendar-order>3</A:calendar-order>
      <C:calendar-timezone><![CDATA[${TZ}]]></C:calendar-timezone>
      <C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>
    </D:prop></D:set></C:mkcalendar>`;
    const r = await s.request('MKCALENDAR', '/dav/calendars/alice/work/', { body });
    assert.equal(r.status, 201);
    const { ms } = await props('/dav/calendars/alice/work/', '<D:displayname/><C:calendar-description/><A:calendar-color/><A:calendar-order/><C:calendar-timezone/><C:supported-calendar-component-set/><D:resourcetype/><C:supported-calendar-data/><C:max-resource-size/>');
    const cal = ms.get('/dav/calendars/alice/work/');
    assert.equal(propText(cal, d('displayname')), 'Work');
    assert.equal(propText(cal, c('calendar-description')), 'Work things');
    assert.equal(propText(cal, a('calendar-color')), '#FF0000FF');
    assert.equal(propText(cal, a('calendar-order')), '3');
    assert.equal(propText(cal, c('calendar-timezone')), TZ);
    assert.deepEqual(cal!.props.get(c('supported-calendar-component-set'))!.el.children.map((x) => x.attrs.name), ['VTODO']);
    assert.ok(cal!.props.get(d('resourcetype'))!.el.children.some((x) => x.name === c('calendar')));
    assert.equal(cal!.props.get(c('supported-calendar-data'))!.el.children[0]!.attrs['content-type'], 'text/calendar');
    assert.match(propText(cal, c('max-resource-size'))!, /^\d+$/);

    // a VEVENT is refused by a VTODO-only calendar
    const ev = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    const put = await s.request('PUT', '/dav/calendars/alice/work/x1.ics', { body: ev });
    assert.equal(put.status, 403);
    assert.match(put.text, /supported-calendar-component/);
  });

  it('MKCALENDAR on an existing URL is 405; a bad property fails the whole creation', async () => {
    const again = await s.request('MKCALENDAR', '/dav/calendars/alice/default/');
    assert.equal(again.status, 405);
    assert.match(again.text, /resource-must-be-null/);
    const bad = `<C:mkcalendar ${NSDECL}><D:set><D:prop><D:displayname>X</D:displayname><C:calendar-timezone>not a calendar</C:calendar-timezone></D:prop></D:set></C:mkcalendar>`;
    const r = await s.request('MKCALENDAR', '/dav/calendars/alice/broken/', { body: bad });
    assert.equal(r.status, 403);
    const doc = parse(r.text);
    assert.equal(doc.name, c('mkcalendar-response'));
    assert.match(r.text, /424 Failed Dependency/);
    assert.equal((await props('/dav/calendars/alice/broken/', '<D:displayname/>')).status, 404);
    // outside a home, or nested in a calendar: refused
    assert.equal((await s.request('MKCALENDAR', '/dav/calendars/alice/default/sub/')).status, 403);
    assert.equal((await s.request('MKCALENDAR', '/dav/calendars/alice/nope/sub/')).status, 409);
  });

  it('extended MKCOL (RFC 5689) creates a calendar', async () => {
    const body = `<D:mkcol ${NSDECL}><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Via MKCOL</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VJOURNAL"/></C:supported-calendar-component-set></D:prop></D:set></D:mkcol>`;
    assert.equal((await s.request('MKCOL', '/dav/calendars/alice/mk/', { body })).status, 201);
    const { ms } = await props('/dav/calendars/alice/mk/', '<D:displayname/><C:supported-calendar-component-set/>');
    assert.equal(propText(ms.get('/dav/calendars/alice/mk/'), d('displayname')), 'Via MKCOL');
    const wrongType = `<D:mkcol ${NSDECL}><D:set><D:prop><D:resourcetype><D:collection/><X:weird xmlns:X="urn:x"/></D:resourcetype></D:prop></D:set></D:mkcol>`;
    const r = await s.request('MKCOL', '/dav/calendars/alice/weird/', { body: wrongType });
    assert.equal(r.status, 403);
    assert.match(r.text, /valid-resourcetype/);
  });

  it('PROPPATCH sets live and dead properties, all or nothing', async () => {
    const ok = await s.request('PROPPATCH', '/dav/calendars/alice/mk/', {
      body: `<D:propertyupdate ${NSDECL} xmlns:X="urn:example:x"><D:set><D:prop><D:displayname>Renamed</D:displayname><A:calendar-color>#00FF00</A:calendar-color><X:flavour lang="en">Vanilla <X:b>bold</X:b></X:flavour></D:prop></D:set></D:propertyupdate>`,
    });
    assert.equal(ok.status, 207);
    assert.doesNotMatch(ok.text, /HTTP\/1.1 (4|5)\d\d/);
    const { ms } = await s.request('PROPFIND', '/dav/calendars/alice/mk/', {
      headers: { Depth: '0' },
      body: `<D:propfind xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/" xmlns:X="urn:example:x"><D:prop><D:displayname/><A:calendar-color/><X:flavour/></D:prop></D:propfind>`,
    }).then((r) => ({ ms: multistatus(r.text) }));
    const col = ms.get('/dav/calendars/alice/mk/');
    assert.equal(propText(col, d('displayname')), 'Renamed');
    assert.equal(propText(col, a('calendar-color')), '#00FF00');
    const flavour = col!.props.get('{urn:example:x}flavour')!;
    assert.equal(flavour.status, 200);
    assert.equal(flavour.el.attrs.lang, 'en');
    assert.equal(flavour.el.children[0]!.name, '{urn:example:x}b');

    // one protected property fails the whole update: the others get 424 and nothing changes
    const mixed = await s.request('PROPPATCH', '/dav/calendars/alice/mk/', {
      body: `<D:propertyupdate ${NSDECL}><D:set><D:prop><D:displayname>Should not stick</D:displayname><D:getetag>"x"</D:getetag></D:prop></D:set></D:propertyupdate>`,
    });
    assert.equal(mixed.status, 207);
    const res = multistatus(mixed.text).get('/dav/calendars/alice/mk/')!;
    assert.equal(res.props.get(d('displayname'))!.status, 424);
    assert.equal(res.props.get(d('getetag'))!.status, 403);
    assert.match(mixed.text, /cannot-modify-protected-property/);
    const again = await props('/dav/calendars/alice/mk/', '<D:displayname/>');
    assert.equal(propText(again.ms.get('/dav/calendars/alice/mk/'), d('displayname')), 'Renamed');

    // remove
    const rm = await s.request('PROPPATCH', '/dav/calendars/alice/mk/', {
      body: `<D:propertyupdate ${NSDECL} xmlns:X="urn:example:x"><D:remove><D:prop><X:flavour/><A:calendar-color/></D:prop></D:remove></D:propertyupdate>`,
    });
    assert.equal(rm.status, 207);
    const gone = await s.request('PROPFIND', '/dav/calendars/alice/mk/', {
      headers: { Depth: '0' },
      body: `<D:propfind xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/" xmlns:X="urn:example:x"><D:prop><A:calendar-color/><X:flavour/></D:prop></D:propfind>`,
    });
    const g = multistatus(gone.text).get('/dav/calendars/alice/mk/')!;
    assert.equal(g.props.get('{urn:example:x}flavour')!.status, 404);
    assert.equal(g.props.get(a('calendar-color'))!.status, 404);
  });

  it('a dead property comes back with its qualified attributes: xml:lang and foreign ones (RFC 4918 §4.3)', async () => {
    const path = '/dav/calendars/alice/default/';
    const set = await s.request('PROPPATCH', path, {
      body: `<D:propertyupdate ${NSDECL} xmlns:X="urn:example:x" xmlns:Y="urn:example:y"><D:set><D:prop><X:note xml:lang="de" Y:kind="memo" plain="1">Hallo <X:b xml:lang="en">you</X:b></X:note></D:prop></D:set></D:propertyupdate>`,
    });
    assert.equal(set.status, 207);
    const r = await s.request('PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<X:note xmlns:X="urn:example:x"/>') });
    assert.match(r.text, /xml:lang="de"/);
    const note = multistatus(r.text).get(path)!.props.get('{urn:example:x}note')!;
    assert.equal(note.status, 200);
    assert.deepEqual(note.el.qualifiedAttrs, { '{http://www.w3.org/XML/1998/namespace}lang': 'de', '{urn:example:y}kind': 'memo', plain: '1' });
    assert.deepEqual(note.el.children[0]!.qualifiedAttrs, { '{http://www.w3.org/XML/1998/namespace}lang': 'en' });
  });

  it('dead properties on the principal and the calendar home (Apple stores settings there)', async () => {
    const body = `<D:propertyupdate ${NSDECL}><D:set><D:prop><C:default-alarm-vevent-datetime>BEGIN:VALARM</C:default-alarm-vevent-datetime></D:prop></D:set></D:propertyupdate>`;
    for (const path of ['/dav/calendars/alice/', '/dav/principals/alice/']) {
      const r = await s.request('PROPPATCH', path, { body });
      assert.equal(r.status, 207);
      assert.equal(multistatus(r.text).get(path)!.props.get(c('default-alarm-vevent-datetime'))!.status, 200);
      const { ms } = await props(path, '<C:default-alarm-vevent-datetime/>');
      assert.equal(propText(ms.get(path), c('default-alarm-vevent-datetime')), 'BEGIN:VALARM');
    }
    const other = await props('/dav/calendars/alice/default/', '<C:default-alarm-vevent-datetime/>');
    assert.equal(other.ms.get('/dav/calendars/alice/default/')!.props.get(c('default-alarm-vevent-datetime'))!.status, 404, 'kept per resource');
    const name = await s.request('PROPPATCH', '/dav/principals/alice/', { body: `<D:propertyupdate ${NSDECL}><D:set><D:prop><D:displayname>Mallory</D:displayname></D:prop></D:set></D:propertyupdate>` });
    assert.equal(multistatus(name.text).get('/dav/principals/alice/')!.props.get(d('displayname'))!.status, 403);
  });

  it('PROPFIND: allprop, include, propname, unknown properties, Prefer minimal, Depth infinity', async () => {
    const all = await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' });
    assert.equal(all.status, 207);
    const ar = multistatus(all.text).get('/dav/calendars/alice/default/')!;
    assert.ok(ar.props.has(d('resourcetype')) && ar.props.has(d('displayname')));
    assert.equal(propText(ar, d('getcontentlength')), '0', 'every resource has a length (RFC 4918 §15.4); a collection is listed as 0 bytes');
    assert.ok(!ar.props.has(d('supported-report-set')), 'allprop leaves out computed reports list');
    const inc = await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:supported-report-set/></D:include></D:propfind>' });
    assert.ok(multistatus(inc.text).get('/dav/calendars/alice/default/')!.props.has(d('supported-report-set')));
    const empty = await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '0' } });
    assert.equal(empty.status, 207, 'an empty body means allprop');

    const names = await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>' });
    const nr = multistatus(names.text).get('/dav/calendars/alice/default/')!;
    assert.ok(nr.props.has(cs('getctag')) && nr.props.has(d('sync-token')));
    assert.equal(nr.props.get(d('displayname'))!.el.text, '');

    const unknown = await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '0' }, body: propfindBody('<D:displayname/><X:nothing xmlns:X="urn:x"/>') });
    const ur = multistatus(unknown.text).get('/dav/calendars/alice/default/')!;
    assert.equal(ur.props.get(d('displayname'))!.status, 200);
    assert.equal(ur.props.get('{urn:x}nothing')!.status, 404);

    for (const headers of [{ Prefer: 'return=minimal' }, { Brief: 't' }] as Record<string, string>[]) {
      const min = await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '0', ...headers }, body: propfindBody('<D:displayname/><X:nothing xmlns:X="urn:x"/>') });
      assert.doesNotMatch(min.text, /404/);
      assert.match(min.text, /displayname/);
    }

    // RFC 4918 §14.20: propfind holds exactly one of propname, allprop (with include) and prop
    for (const inner of ['<D:allprop/><D:propname/>', '<D:prop><D:displayname/></D:prop><D:allprop/>', '<D:propname/><D:prop><D:displayname/></D:prop>', '<D:prop><D:displayname/></D:prop><D:include><D:displayname/></D:include>']) {
      const both = await s.request('PROPFIND', '/dav/calendars/alice/default/', { headers: { Depth: '0' }, body: `<D:propfind xmlns:D="DAV:">${inner}</D:propfind>` });
      assert.equal(both.status, 400, inner);
    }

    const inf = await s.request('PROPFIND', '/dav/calendars/alice/', { headers: { Depth: 'infinity' }, body: propfindBody('<D:displayname/>') });
    assert.equal(inf.status, 403);
    assert.match(inf.text, /propfind-finite-depth/);
    const noDepth = await s.request('PROPFIND', '/dav/calendars/alice/', { body: propfindBody('<D:displayname/>') });
    assert.equal(noDepth.status, 403, 'no Depth header means infinity');
  });

  it('supported-report-set in the RFC 3253 form, current-user-privilege-set, sync-token', async () => {
    const { ms } = await props('/dav/calendars/alice/default/', '<D:supported-report-set/><D:current-user-privilege-set/><D:sync-token/><CS:getctag/><D:owner/>');
    const r = ms.get('/dav/calendars/alice/default/')!;
    const reports = r.props.get(d('supported-report-set'))!.el.children.map((sr) => {
      assert.equal(sr.name, d('supported-report'));
      const report = sr.children[0]!;
      assert.equal(report.name, d('report'));
      return report.children[0]!.name;
    });
    for (const name of [c('calendar-multiget'), c('calendar-query'), d('sync-collection')]) assert.ok(reports.includes(name), name);
    const privileges = r.props.get(d('current-user-privilege-set'))!.el.children.map((p) => p.children[0]!.name);
    for (const p of ['read', 'write', 'write-content', 'write-properties', 'bind', 'unbind']) assert.ok(privileges.includes(d(p)), p);
    assert.equal(propText(r, d('sync-token')), propText(r, cs('getctag')));
  });

  it('DELETE of a collection removes it and its objects', async () => {
    const ev = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:gone-1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    assert.equal((await s.request('PUT', '/dav/calendars/alice/mk/gone-1.ics', { body: ev })).status, 201);
    assert.equal((await s.request('DELETE', '/dav/calendars/alice/mk/')).status, 204);
    assert.equal((await s.request('GET', '/dav/calendars/alice/mk/gone-1.ics')).status, 404);
    assert.equal((await props('/dav/calendars/alice/mk/', '<D:displayname/>')).status, 404);
    // the same name can be created again, empty, with a fresh sync token
    assert.equal((await s.request('MKCALENDAR', '/dav/calendars/alice/mk/')).status, 201);
    const list = multistatus((await s.request('PROPFIND', '/dav/calendars/alice/mk/', { headers: { Depth: '1' }, body: propfindBody('<D:getetag/>') })).text);
    assert.equal(list.size, 1);
    // homes and principals cannot be deleted
    assert.equal((await s.request('DELETE', '/dav/calendars/alice/')).status, 405);
  });

  it('a deleted default calendar or address book stays deleted at the next login, on any node', async () => {
    assert.equal((await s.request('DELETE', '/dav/calendars/bob/default/', { user: BOB })).status, 204);
    assert.equal((await s.request('DELETE', '/dav/addressbooks/bob/default/', { user: BOB })).status, 204);
    const other = await s.startAnotherNode(); // its own credentials cache: a fresh login
    try {
      for (const home of ['/dav/calendars/bob/', '/dav/addressbooks/bob/']) {
        const r = await other.request('PROPFIND', home, { user: BOB, headers: { Depth: '1' }, body: propfindBody('<D:resourcetype/>') });
        assert.equal(r.status, 207);
        assert.ok(![...multistatus(r.text).keys()].some((href) => href.endsWith('/default/')), `${home}: ${[...multistatus(r.text).keys()]}`);
      }
    } finally {
      await other.close();
    }
  });
});
