import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './helpers/server.js';
import { event, ics } from './helpers/ics.js';
import { c, cs, multistatus, parse, propText, propfindBody } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';

describe('calendar objects', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  const ctag = async () =>
    propText(multistatus((await s.request('PROPFIND', CAL, { headers: { Depth: '0' }, body: propfindBody('<CS:getctag/>') })).text).get(CAL), cs('getctag'));

  it('PUT creates (201) and updates (204) with the ETag of the stored bytes; GET/HEAD return them', async () => {
    const body = event('obj-1', '20240105T090000Z', '20240105T100000Z');
    const created = await s.request('PUT', `${CAL}obj-1.ics`, { body, headers: { 'Content-Type': 'text/calendar; charset=utf-8' } });
    assert.equal(created.status, 201);
    const etag = created.headers.get('etag');
    assert.match(etag ?? '', /^"[^"]+"$/);
    const got = await s.request('GET', `${CAL}obj-1.ics`);
    assert.equal(got.status, 200);
    assert.equal(got.text, body);
    assert.equal(got.headers.get('etag'), etag);
    assert.match(got.headers.get('content-type') ?? '', /^text\/calendar/);
    const head = await s.request('HEAD', `${CAL}obj-1.ics`);
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers.get('etag'), etag);

    const changed = event('obj-1', '20240105T090000Z', '20240105T110000Z');
    const updated = await s.request('PUT', `${CAL}obj-1.ics`, { body: changed, headers: { 'If-Match': etag! } });
    assert.equal(updated.status, 204);
    assert.notEqual(updated.headers.get('etag'), etag);
    assert.equal((await s.request('GET', `${CAL}obj-1.ics`)).text, changed);
  });

  it('LF-only line endings are accepted and stored as sent', async () => {
    const body = event('obj-lf', '20240106T090000Z', '20240106T100000Z').replace(/\r\n/g, '\n');
    assert.equal((await s.request('PUT', `${CAL}obj-lf.ics`, { body })).status, 201);
    assert.equal((await s.request('GET', `${CAL}obj-lf.ics`)).text, body);
  });

  it('If-Match and If-None-Match fail with 412 and change nothing', async () => {
    const body = event('obj-2', '20240107T090000Z', '20240107T100000Z');
    assert.equal((await s.request('PUT', `${CAL}obj-2.ics`, { body, headers: { 'If-None-Match': '*' } })).status, 201);
    const before = await ctag();
    assert.equal((await s.request('PUT', `${CAL}obj-2.ics`, { body, headers: { 'If-None-Match': '*' } })).status, 412);
    assert.equal((await s.request('PUT', `${CAL}obj-2.ics`, { body: event('obj-2', '20240107T090000Z', '20240107T120000Z'), headers: { 'If-Match': '"stale"' } })).status, 412);
    assert.equal((await s.request('PUT', `${CAL}never.ics`, { body: event('never', '20240107T090000Z', '20240107T100000Z'), headers: { 'If-Match': '*' } })).status, 412);
    assert.equal((await s.request('DELETE', `${CAL}obj-2.ics`, { headers: { 'If-Match': '"stale"' } })).status, 412);
    assert.equal((await s.request('GET', `${CAL}obj-2.ics`)).text, body);
    assert.equal((await s.request('GET', `${CAL}never.ics`)).status, 404);
    assert.equal(await ctag(), before, 'failed preconditions write nothing');
    const etag = (await s.request('GET', `${CAL}obj-2.ics`)).headers.get('etag')!;
    assert.equal((await s.request('GET', `${CAL}obj-2.ics`, { headers: { 'If-None-Match': etag } })).status, 304);
  });

  it('DELETE with If-Match removes the object', async () => {
    const body = event('obj-3', '20240108T090000Z', '20240108T100000Z');
    const etag = (await s.request('PUT', `${CAL}obj-3.ics`, { body })).headers.get('etag')!;
    assert.equal((await s.request('DELETE', `${CAL}obj-3.ics`, { headers: { 'If-Match': etag } })).status, 204);
    assert.equal((await s.request('GET', `${CAL}obj-3.ics`)).status, 404);
    assert.equal((await s.request('DELETE', `${CAL}obj-3.ics`)).status, 404);
  });

  const rejects = async (name: string, body: string | Buffer, precondition: string, reason: RegExp) => {
    const before = await ctag();
    const r = await s.request('PUT', `${CAL}${name}`, { body });
    assert.ok(r.status >= 400 && r.status < 500, `${name}: ${r.status}`);
    const doc = parse(r.text);
    assert.equal(doc.name, '{DAV:}error');
    assert.ok(doc.children.some((x) => x.name === precondition), `${name}: ${r.text}`);
    assert.match(r.text, reason);
    assert.equal((await s.request('GET', `${CAL}${name}`)).status, 404, 'nothing was written');
    assert.equal(await ctag(), before);
    return r;
  };

  it('invalid calendar data is refused with the RFC 4791 preconditions', async () => {
    await rejects('garbage.ics', 'this is not iCalendar', c('valid-calendar-data'), /./);
    await rejects('no-uid.ics', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', c('valid-calendar-data'), /UID/);
    await rejects('two-uids.ics', event('u1', '20240101T100000Z', '20240101T110000Z').replace('END:VCALENDAR', 'BEGIN:VEVENT\r\nUID:u2\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240102T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR'), c('valid-calendar-object-resource'), /u1|u2|UID/);
    await rejects('method.ics', event('m1', '20240101T100000Z', '20240101T110000Z').replace('VERSION:2.0', 'VERSION:2.0\r\nMETHOD:REQUEST'), c('valid-calendar-object-resource'), /METHOD/);
    await rejects('vcard.ics', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nUID:x\r\nEND:VCARD\r\n', c('valid-calendar-data'), /./);
    const override = (summary: string) => `BEGIN:VEVENT\r\nUID:dup\r\nDTSTAMP:20240101T000000Z\r\nRECURRENCE-ID:20240102T100000Z\r\nDTSTART:20240102T120000Z\r\nSUMMARY:${summary}\r\nEND:VEVENT\r\n`;
    const series = event('dup', '20240101T100000Z', '20240101T110000Z').replace('END:VEVENT', 'RRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT');
    await rejects('dup.ics', series.replace('END:VCALENDAR', `${override('one')}${override('two')}END:VCALENDAR`), c('valid-calendar-object-resource'), /same instance/);
    const nested = `${'BEGIN:X-A\r\n'.repeat(5000)}${'END:X-A\r\n'.repeat(5000)}`;
    await rejects('deep.ics', event('deep', '20240101T100000Z', '20240101T110000Z').replace('END:VEVENT', `${nested}END:VEVENT`), c('valid-calendar-data'), /nested deeper/);
  });

  it('a VTIMEZONE that cannot be read is refused with valid-calendar-data (RFC 5545 §3.6.5)', async () => {
    const withZone = (name: string, zone: string[]) =>
      ics(name, ['DTSTART;TZID=Custom:20240501T100000', 'DTEND;TZID=Custom:20240501T110000'], 'VEVENT', ['BEGIN:VTIMEZONE', ...zone, 'END:VTIMEZONE'].join('\r\n'));
    const standard = (...lines: string[]) => ['BEGIN:STANDARD', 'DTSTART:19700101T000000', ...lines, 'END:STANDARD'];
    await rejects('tz-no-tzid.ics', withZone('tz-no-tzid', standard('TZOFFSETFROM:+0100', 'TZOFFSETTO:+0100')), c('valid-calendar-data'), /no TZID/);
    await rejects('tz-no-observance.ics', withZone('tz-no-observance', ['TZID:Custom']), c('valid-calendar-data'), /neither STANDARD nor DAYLIGHT/);
    await rejects('tz-no-offset.ics', withZone('tz-no-offset', ['TZID:Custom', ...standard('TZOFFSETFROM:+0100')]), c('valid-calendar-data'), /TZOFFSETTO/);
    await rejects('tz-bad-offset.ics', withZone('tz-bad-offset', ['TZID:Custom', ...standard('TZOFFSETFROM:+0100', 'TZOFFSETTO:one hour')]), c('valid-calendar-data'), /TZOFFSETTO/);
    // Zimbra's placeholder: no TZID, no observance, nothing refers to it
    const zimbra = withZone('tz-zimbra', ['X-INVALID-TIMEZONE:TRUE']).replace(/;TZID=Custom/g, '');
    assert.equal((await s.request('PUT', `${CAL}tz-zimbra.ics`, { body: zimbra })).status, 201);
  });

  it('a UID already used by another resource is a no-uid-conflict naming it', async () => {
    await s.request('PUT', `${CAL}first.ics`, { body: event('shared-uid', '20240101T100000Z', '20240101T110000Z') });
    const r = await rejects('second.ics', event('shared-uid', '20240101T100000Z', '20240101T110000Z'), c('no-uid-conflict'), /shared-uid/);
    const href = parse(r.text).children.find((x) => x.name === c('no-uid-conflict'))!.children.find((x) => x.name === '{DAV:}href')!;
    assert.equal(href.text, `${CAL}first.ics`);
  });

  it('objects larger than max-resource-size get 413 with the precondition', async () => {
    const small = await startTestServer({ DAVENPORT_MAX_RESOURCE_BYTES: '2000' });
    try {
      const big = ics('big', ['DTSTART:20240101T100000Z', `DESCRIPTION:${'x'.repeat(70)}`, ...Array(60).fill(` ${'y'.repeat(70)}`)]);
      const r = await small.request('PUT', `${CAL}big.ics`, { body: big });
      assert.equal(r.status, 413);
      assert.match(r.text, /max-resource-size/);
      assert.equal((await small.request('GET', `${CAL}big.ics`)).status, 404);
      const size = multistatus((await small.request('PROPFIND', CAL, { headers: { Depth: '0' }, body: propfindBody('<C:max-resource-size/>') })).text);
      assert.equal(propText(size.get(CAL), c('max-resource-size')), '2000');
    } finally {
      await small.close();
    }
  });

  it('GET on a calendar exports it as one iCalendar document', async () => {
    const r = await s.request('GET', CAL);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/calendar/);
    assert.match(r.text, /^BEGIN:VCALENDAR\r\n/);
    for (const uid of ['obj-1', 'obj-lf', 'obj-2']) assert.match(r.text, new RegExp(`UID:${uid}\r\n`));
    assert.equal(r.text.match(/BEGIN:VCALENDAR/g)!.length, 1);
    assert.match(r.text, /END:VCALENDAR\r\n$/);
  });

  it('the export carries each VTIMEZONE once and parses as iCalendar', async () => {
    const tz = 'BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE';
    await s.request('MKCALENDAR', '/dav/calendars/alice/export/');
    for (const uid of ['tz-a', 'tz-b']) {
      const body = ics(uid, ['DTSTART;TZID=Europe/Berlin:20240110T090000', 'SUMMARY:Zoned'], 'VEVENT', tz);
      assert.equal((await s.request('PUT', `/dav/calendars/alice/export/${uid}.ics`, { body })).status, 201);
    }
    const r = await s.request('GET', '/dav/calendars/alice/export/');
    assert.equal(r.text.match(/BEGIN:VTIMEZONE/g)!.length, 1);
    const root = new ICAL.Component(ICAL.parse(r.text) as unknown[]);
    assert.deepEqual(root.getAllSubcomponents('vevent').map((e) => e.getFirstPropertyValue('uid')).sort(), ['tz-a', 'tz-b']);
  });

  it('VTODO and VJOURNAL objects are stored in calendars that allow them', async () => {
    const todo = ics('todo-1', ['DUE:20240110T100000Z', 'SUMMARY:Buy milk', 'STATUS:NEEDS-ACTION'], 'VTODO');
    assert.equal((await s.request('PUT', `${CAL}todo-1.ics`, { body: todo })).status, 201);
    await s.request('MKCALENDAR', '/dav/calendars/alice/journal/', {
      body: '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:supported-calendar-component-set><C:comp name="VJOURNAL"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>',
    });
    const journal = ics('j-1', ['DTSTART;VALUE=DATE:20240110', 'SUMMARY:Notes'], 'VJOURNAL');
    assert.equal((await s.request('PUT', '/dav/calendars/alice/journal/j-1.ics', { body: journal })).status, 201);
    assert.equal((await s.request('PUT', `${CAL}j-1.ics`, { body: journal })).status, 403, 'the default calendar takes VEVENT and VTODO only');
  });
});
