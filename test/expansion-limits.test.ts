// calendar-data expand (RFC 4791 §9.6.5) within what one request may spend
// (src/ical/expansion-budget.ts): a runaway expansion ends with an in-band 507 and
// DAV:number-of-matches-within-limits, other requests are answered meanwhile, and
// all-day instances come back as DATEs.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ics } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { c, multistatus, propText } from './helpers/xml.js';

const CAL = '/dav/calendars/alice/default/';
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';
const expand = (start: string, end: string) => `<D:prop><D:getetag/><C:calendar-data><C:expand start="${start}" end="${end}"/></C:calendar-data></D:prop>`;
const query = (start: string, end: string) =>
  `<C:calendar-query ${NS}>${expand(start, end)}<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="${start}" end="${end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`;
const CENTURY = ['20000101T000000Z', '21000101T000000Z'] as const;

describe('calendar-data expand within bounds', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    const endless = ['FREQ=MINUTELY', 'FREQ=HOURLY', 'FREQ=MINUTELY;INTERVAL=7'];
    for (const [i, rule] of endless.entries()) {
      const body = ics(`endless-${i}`, ['DTSTART:20200101T000000Z', 'DTEND:20200101T000100Z', 'SUMMARY:Endless', `RRULE:${rule}`]);
      assert.equal((await s.request('PUT', `${CAL}endless-${i}.ics`, { body })).status, 201);
    }
  });
  after(() => s.close());

  const assertTruncated = (text: string) => {
    const r = multistatus(text).get(CAL);
    assert.equal(r?.status, 507, text.slice(-500));
    assert.match(text, /<D:error><D:number-of-matches-within-limits\/><\/D:error>/);
  };

  it('a century of endless series is cut with 507 number-of-matches-within-limits while a PROPFIND is answered', async () => {
    const started = performance.now();
    const big = s.request('REPORT', CAL, { headers: { Depth: '1' }, body: query(...CENTURY) }).then((r) => ({ r, ms: performance.now() - started }));
    const smallStarted = performance.now();
    const small = await s.request('PROPFIND', CAL, { headers: { Depth: '0' } });
    const smallMs = performance.now() - smallStarted;
    const { r, ms } = await big;
    assert.equal(small.status, 207);
    assert.equal(r.status, 207);
    assertTruncated(r.text);
    assert.ok(r.bytes.length < 20 * 1024 * 1024, `${r.bytes.length} bytes`);
    assert.ok(ms < 5_000, `the expansion was answered after ${ms} ms`);
    assert.ok(smallMs < 1_000, `the PROPFIND waited ${smallMs} ms`);
  });

  it('an expansion never holds the event loop for long, however long it runs', async () => {
    // The server runs in this process: the longest gap between two ticks of a 5 ms timer
    // is the longest any other request would have waited for its turn. On a loaded
    // machine a gap is also time the process was not scheduled at all, so a gap counts
    // only as far as the process spent CPU in it.
    const longestStall = async (request: () => Promise<{ status: number; text: string }>) => {
      let stallMs = 0;
      let last = performance.now();
      let lastCpu = process.cpuUsage();
      const tick = setInterval(() => {
        const now = performance.now();
        const cpu = process.cpuUsage(lastCpu);
        stallMs = Math.max(stallMs, Math.min(now - last, (cpu.user + cpu.system) / 1000));
        last = now;
        lastCpu = process.cpuUsage();
      }, 5);
      const started = performance.now();
      try {
        return { r: await request(), ms: performance.now() - started, stallMs };
      } finally {
        clearInterval(tick);
      }
    };
    // Generating a century of minutes until the set is refused...
    const refused = await longestStall(() => s.request('REPORT', CAL, { headers: { Depth: '1' }, body: query(...CENTURY) }));
    assertTruncated(refused.r.text);
    // ...and rendering 8,640 instances, just within the budget (after a refusal of a
    // longer range, for the same series).
    const week = ['20240101T000000Z', '20240107T000000Z'] as const;
    const href = `<D:href>${CAL}endless-0.ics</D:href>`;
    const rendered = await longestStall(() => s.request('REPORT', CAL, { headers: { Depth: '1' }, body: `<C:calendar-multiget ${NS}>${expand(...week)}${href}</C:calendar-multiget>` }));
    assert.equal(rendered.r.status, 207);
    assert.equal(propText(multistatus(rendered.r.text).get(`${CAL}endless-0.ics`), c('calendar-data'))?.match(/BEGIN:VEVENT/g)?.length, 6 * 24 * 60);
    // Each held the loop for 380–820 ms in one block before expansion paused; now the
    // longest stall is 25–55 ms on a loaded 2-core machine.
    for (const [what, m] of Object.entries({ refused, rendered })) {
      assert.ok(m.stallMs < 100, `${what}: the event loop stalled for ${m.stallMs.toFixed(0)} ms of ${m.ms.toFixed(0)} ms`);
    }
  });

  it('calendar-multiget ends the same way', async () => {
    const hrefs = [0, 1, 2].map((i) => `<D:href>${CAL}endless-${i}.ics</D:href>`).join('');
    const r = await s.request('REPORT', CAL, { headers: { Depth: '1' }, body: `<C:calendar-multiget ${NS}>${expand(...CENTURY)}${hrefs}</C:calendar-multiget>` });
    assert.equal(r.status, 207);
    assertTruncated(r.text);
  });

  it('all-day events expand into all-day instances, with and without RRULE', async () => {
    const objects = {
      'allday-once': ics('allday-once', ['DTSTART;VALUE=DATE:20240410', 'DTEND;VALUE=DATE:20240412', 'SUMMARY:Conference']),
      'allday-yearly': ics('allday-yearly', ['DTSTART;VALUE=DATE:20230410', 'SUMMARY:Birthday', 'RRULE:FREQ=YEARLY']),
    };
    const cal = '/dav/calendars/alice/holidays/'; // away from the endless series
    assert.equal((await s.request('MKCALENDAR', cal)).status, 201);
    for (const [name, body] of Object.entries(objects)) assert.equal((await s.request('PUT', `${cal}${name}.ics`, { body })).status, 201);
    const r = await s.request('REPORT', cal, { headers: { Depth: '1' }, body: query('20240401T000000Z', '20250501T000000Z') });
    const data = (name: string) => propText(multistatus(r.text).get(`${cal}${name}.ics`), c('calendar-data')) ?? '';
    // DATE values stay DATEs (as sabre/vobject expands them): an all-day instance has no UTC instant.
    assert.match(data('allday-once'), /DTSTART;VALUE=DATE:20240410\r\nDTEND;VALUE=DATE:20240412/);
    assert.deepEqual(data('allday-yearly').match(/DTSTART;VALUE=DATE:\d+/g), ['DTSTART;VALUE=DATE:20240410', 'DTSTART;VALUE=DATE:20250410']);
    assert.match(data('allday-yearly'), /RECURRENCE-ID;VALUE=DATE:20240410/);
    assert.doesNotMatch(data('allday-yearly'), /RRULE/);
  });
});
