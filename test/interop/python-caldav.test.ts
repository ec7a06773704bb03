// The python `caldav` library (Debian python3-caldav) against the real server:
// test/interop/caldav_client.py does the client work and prints JSON; the checks are here.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ALICE, BOB, startTestServer, type TestServer } from '../helpers/server.js';
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
    const r = await run(py, [SCRIPT], {
      DAV_URL: server.url, DAV_USER: ALICE.name, DAV_PASS: ALICE.password, DAV_USER2: BOB.name, DAV_PASS2: BOB.password,
    }, 120_000);
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

  // RFC 6638 scheduling and free-busy, as the library's functional suite drives them
  // (TestScheduling.testInviteAndRespond, the free-busy requests), Alice inviting Bob.
  const SCHED_UID = /^sched-[0-9a-f]{8}@example\.com$/;

  test('scheduling discovery: calendar-auto-schedule, inbox, outbox, mailto address first', () => {
    const s = ok('sched_discovery');
    assert.equal(s.scheduling_support, true);
    for (const [key, user, mail] of [['organizer', ALICE.name, 'alice@example.com'], ['attendee', BOB.name, 'bob@example.com']]) {
      const p = s[key] as Record<string, unknown>;
      assert.equal(href(p.inbox), `/dav/calendars/${user}/inbox/`);
      assert.equal(href(p.outbox), `/dav/calendars/${user}/outbox/`);
      assert.deepEqual(p.addresses, [`mailto:${mail}`, `/dav/principals/${user}/`]);
      assert.equal(p.vcal_address, `mailto:${mail}`, 'get_vcal_address() takes the first address');
      assert.equal(p.cutype, 'INDIVIDUAL');
    }
  });

  test('save_with_invites (organizer invited too): one event for her, no inbox item for her; Bob gets one REQUEST and the event in his default calendar', () => {
    const s = ok('sched_invite');
    assert.equal(s.organizer_events, 1);
    assert.equal(s.organizer_new_inbox, 0, 'the organizer listed as an attendee is not invited to her own meeting');
    assert.equal(s.attendee_new_inbox, 1);
    assert.deepEqual(s.attendee_inbox_methods, ['REQUEST']);
    assert.equal(s.is_invite_request, true);
    assert.equal(href(s.attendee_copy_calendar), `/dav/calendars/${BOB.name}/default/`);
    const copy = decodeURIComponent(href(s.attendee_copy_url));
    assert.match(copy.slice(`/dav/calendars/${BOB.name}/default/`.length, -'.ics'.length), SCHED_UID, 'the copy is named <UID>.ics');
    assert.equal(s.attendee_copy_partstat, 'NEEDS-ACTION');
    assert.equal(s.schedule_status, '1.2;Delivered');
  });

  test('answering into another calendar (the suite\'s accept_invite(calendar=…)) moves Bob\'s copy there; Alice sees TENTATIVE and gets one REPLY', () => {
    const s = ok('sched_accept_other_calendar');
    assert.equal(href(s.attendee_copy_calendar), `/dav/calendars/${BOB.name}/schedulingnosetestcalendar1/`);
    assert.equal(s.attendee_copy_partstat, 'TENTATIVE');
    assert.equal(s.organizer_sees_partstat, 'TENTATIVE');
    assert.deepEqual(s.organizer_inbox_methods, ['REPLY']);
  });

  test('accept_invite(): Bob\'s copy updated in place, Alice sees ACCEPTED and gets exactly one REPLY, which she deletes', () => {
    const s = ok('sched_accept');
    assert.equal(href(s.first_calendar), `/dav/calendars/${BOB.name}/default/`, 'accept_invite() writes to the first calendar');
    assert.equal(s.attendee_copies, 1);
    assert.equal(s.attendee_copy_partstat, 'ACCEPTED');
    assert.equal(s.organizer_sees_partstat, 'ACCEPTED');
    assert.equal(s.organizer_new_inbox, 1, 'one REPLY (the one before was deleted)');
    assert.deepEqual(s.organizer_inbox_methods, ['REPLY']);
    assert.equal(s.organizer_inbox_after_delete, 0);
  });

  test('principal.freebusy_request (POST to the outbox): Bob is busy during the meeting', () => {
    const s = ok('sched_freebusy_principal');
    assert.equal(s.status, 200);
    assert.match(String(s.content_type), /xml/);
    assert.deepEqual(s.recipients, ['mailto:bob@example.com']);
    assert.deepEqual(s.request_status, ['2.0;Success']);
    assert.deepEqual(s.freebusy, ['FREEBUSY;FBTYPE=BUSY:20320615T100000Z/20320615T110000Z']);
  });

  test('calendar.freebusy_request (free-busy-query REPORT): a VFREEBUSY, busy during the meeting, free elsewhere', () => {
    const s = ok('sched_freebusy_calendar');
    assert.equal(s.is_freebusy, true);
    assert.equal(s.has_vfreebusy, true);
    assert.deepEqual(s.freebusy, ['FREEBUSY;FBTYPE=BUSY:20320615T100000Z/20320615T110000Z']);
    assert.equal(s.naive_has_vfreebusy, true, 'naive datetimes (read as local time) work too');
    assert.deepEqual(s.empty_freebusy, []);
  });

  test('Alice deletes the meeting: Bob gets a CANCEL and his copy is cancelled', () => {
    const s = ok('sched_cancel');
    assert.deepEqual(s.attendee_inbox_methods, ['CANCEL']);
    assert.equal(s.attendee_copy_gone, false);
    assert.equal(s.attendee_copy_status, 'CANCELLED');
  });

  test('delete events and the calendar', () => {
    const s = ok('delete');
    assert.equal(s.events_left, 0);
    assert.equal(s.calendar_gone, true);
  });
});
