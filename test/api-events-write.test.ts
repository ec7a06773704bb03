import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { calendar_v3 } from '@googleapis/calendar';
import ICAL from 'ical.js';
import { googleCalendar, statusOf } from './helpers/google.js';
import { event, ics } from './helpers/ics.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// Writes through the JSON API land in the same store CalDAV serves (valid iCalendar,
// read back by GET), and CalDAV's writes come back through the API.

const CAL = '/dav/calendars/alice/default/';

describe('JSON API: events.insert/get/update/patch/delete', () => {
  let s: TestServer;
  let g: calendar_v3.Calendar;
  before(async () => {
    s = await startTestServer();
    g = googleCalendar(s);
  });
  after(() => s.close());

  /** The stored iCalendar of an event, as a CalDAV client reads it. */
  const caldavGet = async (id: string) => {
    const r = await s.request('GET', `${CAL}${id}.ics`);
    assert.equal(r.status, 200, r.text);
    return { text: r.text, vevents: new ICAL.Component(ICAL.parse(r.text) as unknown[]).getAllSubcomponents('vevent'), etag: r.headers.get('etag')! };
  };

  it('inserts with Google\'s client; CalDAV reads back valid iCalendar; get returns the same', async () => {
    const { data } = await g.events.insert({
      calendarId: 'primary',
      requestBody: {
        id: 'team0meeting1', summary: 'Team meeting', description: 'Agenda', location: 'Room 1',
        start: { dateTime: '2024-05-06T10:00:00+02:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2024-05-06T11:00:00+02:00', timeZone: 'Europe/Berlin' },
        attendees: [{ email: 'bob@example.com', displayName: 'Bob', optional: true }, { email: 'alice@example.com', responseStatus: 'accepted' }],
        reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 60 }, { method: 'popup', minutes: 5 }] },
        transparency: 'transparent', visibility: 'private', recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
      },
    });
    assert.equal(data.id, 'team0meeting1');
    assert.equal(data.kind, 'calendar#event');
    assert.equal(data.iCalUID, 'team0meeting1@davenport');
    assert.match(data.etag!, /^".+"$/);
    assert.deepEqual(data.start, { dateTime: '2024-05-06T10:00:00+02:00', timeZone: 'Europe/Berlin' });
    assert.deepEqual(data.attendees, [
      { email: 'bob@example.com', displayName: 'Bob', optional: true, responseStatus: 'needsAction' },
      { email: 'alice@example.com', responseStatus: 'accepted', self: true },
    ]);
    assert.deepEqual(data.reminders, { useDefault: false, overrides: [{ method: 'email', minutes: 60 }, { method: 'popup', minutes: 5 }] });
    assert.equal(data.transparency, 'transparent');
    assert.equal(data.visibility, 'private');

    const stored = await caldavGet('team0meeting1');
    assert.equal(stored.etag, data.etag);
    const vevent = stored.vevents[0]!;
    assert.equal(vevent.getFirstPropertyValue('summary'), 'Team meeting');
    assert.equal(vevent.getFirstProperty('dtstart')!.getFirstParameter('tzid'), 'Europe/Berlin');
    assert.equal(String(vevent.getFirstPropertyValue('rrule')), 'FREQ=WEEKLY;COUNT=10');
    assert.equal(vevent.getAllSubcomponents('valarm').length, 2);
    assert.match(stored.text, /\r\n/);

    const got = await g.events.get({ calendarId: 'primary', eventId: 'team0meeting1' });
    assert.deepEqual(got.data, data);
    // The same id again is a duplicate.
    assert.equal(await statusOf(g.events.insert({ calendarId: 'primary', requestBody: { id: 'team0meeting1', start: data.start, end: data.end } })), 409);
  });

  it('patch merges given fields and keeps what the API does not model; update replaces', async () => {
    const body = ics('caldav-made', [
      'DTSTART;VALUE=DATE:20240610', 'DTEND;VALUE=DATE:20240612', 'SUMMARY:Offsite', 'DESCRIPTION:Two days',
      'X-CUSTOM-THING:keep me', 'CATEGORIES:work', 'ORGANIZER;CN=Alice:mailto:alice@example.com',
      'ATTENDEE;RSVP=TRUE;PARTSTAT=ACCEPTED;CN=Dave:mailto:dave@example.com',
      'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:x', 'TRIGGER;VALUE=DATE-TIME:20240609T080000Z', 'END:VALARM',
    ]);
    assert.equal((await s.request('PUT', `${CAL}offsite.ics`, { body })).status, 201);
    const list = await g.events.list({ calendarId: 'primary', iCalUID: 'caldav-made' });
    const original = list.data.items![0]!;
    assert.deepEqual(original.start, { date: '2024-06-10' });
    assert.deepEqual(original.end, { date: '2024-06-12' });
    assert.deepEqual(original.organizer, { email: 'alice@example.com', displayName: 'Alice', self: true });
    assert.deepEqual(original.attendees, [{ email: 'dave@example.com', displayName: 'Dave', responseStatus: 'accepted' }]);

    const patched = await g.events.patch({ calendarId: 'primary', eventId: original.id!, requestBody: {
      summary: 'Offsite (moved)', location: 'Lake',
      attendees: [{ email: 'dave@example.com', responseStatus: 'declined' }, { email: 'erin@example.com', resource: true }],
    } });
    assert.equal(patched.data.summary, 'Offsite (moved)');
    assert.equal(patched.data.description, 'Two days');
    let vevent = (await caldavGet('offsite')).vevents[0]!;
    assert.equal(vevent.getFirstPropertyValue('x-custom-thing'), 'keep me');
    assert.equal(vevent.getFirstPropertyValue('categories'), 'work');
    assert.equal(vevent.getAllSubcomponents('valarm').length, 1);
    assert.equal(vevent.getFirstPropertyValue('location'), 'Lake');
    // SCHEDULE-STATUS is the server's record of sending the invitation (scheduling tests cover it).
    const withoutStatus = (p: ICAL.Property) => p.toICALString().replace(/;SCHEDULE-STATUS=("[^"]*"|[^;:]*)/, '');
    assert.deepEqual(vevent.getAllProperties('attendee').map(withoutStatus), [
      'ATTENDEE;RSVP=TRUE;PARTSTAT=DECLINED;CN=Dave;ROLE=REQ-PARTICIPANT:mailto:dave@example.com',
      'ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;CUTYPE=RESOURCE:mailto:erin@example.com',
    ]);

    const updated = await g.events.update({
      calendarId: 'primary', eventId: original.id!,
      requestBody: { summary: 'Offsite', start: { date: '2024-06-11' }, end: { date: '2024-06-12' } },
    });
    assert.equal(updated.data.description, undefined);
    assert.equal(updated.data.location, undefined);
    assert.deepEqual(updated.data.start, { date: '2024-06-11' });
    vevent = (await caldavGet('offsite')).vevents[0]!;
    assert.equal(vevent.getFirstPropertyValue('x-custom-thing'), 'keep me');
    assert.equal(vevent.getFirstProperty('dtstart')!.type, 'date');
  });

  it('honours If-Match: 412 on a stale etag, success on the current one', async () => {
    const { data } = await g.events.insert({ calendarId: 'primary', requestBody: { summary: 'v1', start: { dateTime: '2024-07-01T10:00:00Z' }, end: { dateTime: '2024-07-01T11:00:00Z' } } });
    const stale = data.etag!;
    await g.events.patch({ calendarId: 'primary', eventId: data.id!, requestBody: { summary: 'v2' } });
    assert.equal(await statusOf(g.events.patch({ calendarId: 'primary', eventId: data.id!, requestBody: { summary: 'v3' } }, { headers: { 'If-Match': stale } })), 412);
    assert.equal(await statusOf(g.events.delete({ calendarId: 'primary', eventId: data.id! }, { headers: { 'If-Match': stale } })), 412);
    const current = (await g.events.get({ calendarId: 'primary', eventId: data.id! })).data.etag!;
    const ok = await g.events.patch({ calendarId: 'primary', eventId: data.id! , requestBody: { summary: 'v3' } }, { headers: { 'If-Match': current } });
    assert.equal(ok.data.summary, 'v3');
  });

  it('deletes through the API (CalDAV sees it gone) and reads CalDAV\'s writes', async () => {
    assert.equal((await s.request('PUT', `${CAL}from-dav.ics`, { body: event('from-dav', '20240801T100000Z', '20240801T110000Z') })).status, 201);
    const found = (await g.events.list({ calendarId: 'primary', iCalUID: 'from-dav' })).data.items![0]!;
    assert.equal(found.summary, 'Event from-dav');
    await g.events.delete({ calendarId: 'primary', eventId: found.id! });
    assert.equal((await s.request('GET', `${CAL}from-dav.ics`)).status, 404);
    assert.equal(await statusOf(g.events.get({ calendarId: 'primary', eventId: found.id! })), 404);
    assert.equal(await statusOf(g.events.delete({ calendarId: 'primary', eventId: found.id! })), 404);
  });

  it('edits instances of a series: an override on patch, an EXDATE on delete and on status cancelled', async () => {
    const { data: series } = await g.events.insert({
      calendarId: 'primary',
      requestBody: {
        summary: 'Standup', start: { dateTime: '2024-09-02T09:00:00+02:00', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2024-09-02T09:15:00+02:00', timeZone: 'Europe/Berlin' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=5'],
      },
    });
    const instances = (await g.events.instances({ calendarId: 'primary', eventId: series.id! })).data.items!;
    assert.equal(instances.length, 5);
    assert.equal(instances[1]!.id, `${series.id}_20240903T070000Z`);

    const moved = await g.events.patch({
      calendarId: 'primary', eventId: instances[1]!.id!,
      requestBody: { summary: 'Standup (late)', start: { dateTime: '2024-09-03T11:00:00+02:00', timeZone: 'Europe/Berlin' }, end: { dateTime: '2024-09-03T11:15:00+02:00', timeZone: 'Europe/Berlin' } },
    });
    assert.equal(moved.data.id, instances[1]!.id);
    assert.equal(moved.data.recurringEventId, series.id);
    assert.deepEqual(moved.data.originalStartTime, { dateTime: '2024-09-03T09:00:00+02:00', timeZone: 'Europe/Berlin' });
    await g.events.delete({ calendarId: 'primary', eventId: instances[2]!.id! });
    await g.events.patch({ calendarId: 'primary', eventId: instances[3]!.id!, requestBody: { status: 'cancelled' } });

    const stored = await caldavGet(series.id!);
    const master = stored.vevents.find((v) => !v.hasProperty('recurrence-id'))!;
    assert.deepEqual(master.getAllProperties('exdate').map((p) => p.toICALString()), [
      'EXDATE;TZID=Europe/Berlin:20240904T090000', 'EXDATE;TZID=Europe/Berlin:20240905T090000',
    ]);
    const override = stored.vevents.find((v) => v.hasProperty('recurrence-id'))!;
    assert.equal(override.getFirstProperty('recurrence-id')!.toICALString(), 'RECURRENCE-ID;TZID=Europe/Berlin:20240903T090000');
    assert.equal(override.getFirstPropertyValue('summary'), 'Standup (late)');

    const after = (await g.events.instances({ calendarId: 'primary', eventId: series.id! })).data.items!;
    assert.deepEqual(after.map((e) => [e.summary, e.start!.dateTime]), [
      ['Standup', '2024-09-02T09:00:00+02:00'],
      ['Standup (late)', '2024-09-03T11:00:00+02:00'],
      ['Standup', '2024-09-06T09:00:00+02:00'],
    ]);
    assert.equal(await statusOf(g.events.delete({ calendarId: 'primary', eventId: instances[2]!.id! })), 410);
    assert.equal(await statusOf(g.events.get({ calendarId: 'primary', eventId: `${series.id}_20240903T080000Z` })), 404);
  });

  it('refuses bad event input with 400 JSON', async () => {
    const post = (body: unknown) => s.request('POST', '/calendar/v3/calendars/primary/events', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const start = { dateTime: '2024-07-01T10:00:00Z' };
    const end = { dateTime: '2024-07-01T11:00:00Z' };
    const bad: unknown[] = [
      { start, end, summary: 42 },
      { start, end: { dateTime: '2024-07-01T09:00:00Z' } },
      { start: { dateTime: '2024-07-01T10:00:00' }, end },
      { start: { dateTime: '2024-02-30T10:00:00Z' }, end },
      { start: { date: '2024-07-01' }, end },
      { start: { dateTime: '2024-07-01T10:00:00Z', timeZone: 'Mars/Olympus' }, end },
      { start },
      { start, end, id: 'UPPER-case' },
      { start, end, recurrence: ['DTSTART:20240101T000000Z'] },
      { start, end, recurrence: 'RRULE:FREQ=DAILY' },
      { start, end, attendees: [{ displayName: 'no address' }] },
      { start, end, reminders: { useDefault: false, overrides: [{ method: 'sms', minutes: 10 }] } },
      { start, end, reminders: { useDefault: true, overrides: [{ method: 'popup', minutes: 10 }] } },
      { start, end, status: 'maybe' },
    ];
    for (const body of bad) {
      const r = await post(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal((JSON.parse(r.text) as { error: { code: number } }).error.code, 400);
    }
    const notJson = await s.request('POST', '/calendar/v3/calendars/primary/events', { body: '{', headers: { 'Content-Type': 'application/json' } });
    assert.equal(notJson.status, 400);
    assert.equal((await s.request('PATCH', '/calendar/v3/calendars/primary/events/nosuchevent', { body: '{}' })).status, 404);
  });
});
