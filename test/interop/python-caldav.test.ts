// The python `caldav` library (Debian python3-caldav) against the real server:
// test/interop/caldav_client.py does the client work and prints JSON; the checks are here.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ALICE, startTestServer, type TestServer } from '../helpers/server.js';
import { debianPython, run } from './tools.js';

const SCRIPT = fileURLToPath(new URL('./caldav_client.py', import.meta.url));

interface Step {
  ok: boolean;
  error?: string;
  trace?: string;
  [k: string]: unknown;
}

describe('python caldav library', () => {
  let server: TestServer;
  let steps: Record<string, Step> = {};
  let base = '';

  before(async () => {
    const py = debianPython();
    try {
      execFileSync(py, ['-c', 'import caldav'], { stdio: 'pipe', timeout: 30_000 });
    } catch (e) {
      throw new Error(`${py} cannot import caldav: install Debian python3-caldav (apt-get install -y python3-caldav, or run .ci/run). ${(e as Error).message}`);
    }
    server = await startTestServer();
    base = server.url.replace(/\/$/, '');
    const r = await run(py, [SCRIPT], { DAV_URL: server.url, DAV_USER: ALICE.name, DAV_PASS: ALICE.password }, 120_000);
    if (r.code !== 0) throw new Error(`caldav_client.py exited ${r.code ?? r.signal}\n${r.stderr}\n${r.stdout}`);
    const out = JSON.parse(r.stdout) as { caldav_version: string; steps: Record<string, Step> };
    steps = out.steps;
    console.log(`python caldav ${out.caldav_version}`);
  });
  after(() => server?.close());

  /** The values of a step, failing with the library's own error if the step raised. */
  function ok(name: string): Step {
    const s = steps[name];
    assert.ok(s, `step ${name} did not run`);
    assert.ok(s.ok, `${name}: ${s.error}\n${s.trace ?? ''}`);
    return s;
  }
  const href = (u: unknown) => String(u).slice(base.length);

  test('discovers the principal', () => {
    assert.equal(href(ok('discover').principal), `/dav/principals/${ALICE.name}/`);
  });

  test('lists calendars; the default one exists', () => {
    assert.ok((ok('calendars').urls as string[]).map(href).includes(`/dav/calendars/${ALICE.name}/default/`));
  });

  test('make_calendar: created, listed, with its display name', () => {
    const s = ok('make_calendar');
    assert.match(href(s.url), new RegExp(`^/dav/calendars/${ALICE.name}/interop-[0-9a-f]{8}/$`));
    assert.equal(s.listed, true);
    assert.match(String(s.displayname), /^Interop [0-9a-f]{8}$/);
  });

  test('save_event: a simple and a weekly recurring event', () => {
    const s = ok('save_event');
    assert.equal(s.events, 2);
    assert.equal(s.by_uid, 1, 'event_by_uid finds the recurring event (one master VEVENT)');
  });

  test('search by time range (no expand): both objects in January, none elsewhere', () => {
    const s = ok('search_january');
    assert.equal(s.objects, 2);
    assert.equal(ok('search_empty_range').objects, 0, 'after the last instance (COUNT=10 ends 2024-03-04)');
    assert.equal(ok('search_exdate_gap').objects, 0, 'the EXDATE 2024-01-15 has no instance');
  });

  test('date_search (deprecated API) in January: 2 objects, 5 VEVENTs after expansion', () => {
    const s = ok('date_search');
    assert.equal(s.objects, 2);
    assert.equal(s.vevents, 5);
  });

  test('search(expand=True) in January: 4 weekly instances + 1 simple', () => {
    assert.equal(ok('search_expand_client').instances, 5);
  });

  test('server-side expand (calendar-data <C:expand>), January: instances without RRULE, EXDATE honoured', () => {
    const s = ok('expand_server_january');
    assert.equal(s.with_rrule, 0, 'the server expanded (no RRULE left for the client to expand)');
    assert.equal(s.vevents, 5);
    assert.deepEqual(s.recurrence_ids, ['20240101T100000Z', '20240108T100000Z', '20240122T100000Z', '20240129T100000Z']);
  });

  test('server-side expand over the whole series: 9 instances (COUNT=10 minus one EXDATE)', () => {
    const s = ok('expand_server_all');
    assert.equal(s.with_rrule, 0);
    assert.equal((s.recurrence_ids as string[]).length, 9);
    assert.ok(!(s.recurrence_ids as string[]).includes('20240115T100000Z'));
    assert.equal(s.vevents, 10);
  });

  test('objects_by_sync_token: exactly the added, modified and deleted objects', () => {
    const s = ok('sync');
    assert.equal((s.initial as string[]).length, 2);
    assert.deepEqual(s.unchanged, [], 'no change since the token: nothing reported');
    assert.deepEqual(s.changed, s.expected_changed);
    assert.deepEqual(s.updated, [s.simple_url, s.third_url].sort());
    assert.deepEqual(s.deleted, [s.weekly_url]);
    assert.equal(s.modified_summary, true, 'the modified event came back with its new SUMMARY');
    assert.equal(s.new_token_differs, true);
    assert.deepEqual(s.after_sync, [s.simple_url, s.third_url].sort());
  });

  test('delete events and the calendar', () => {
    const s = ok('delete');
    assert.equal(s.events_left, 0);
    assert.equal(s.calendar_gone, true);
  });
});
