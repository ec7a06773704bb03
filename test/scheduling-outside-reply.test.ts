// Replies from attendees who are not local users (what iMIP in hands over), and the
// final SCHEDULE-STATUS of a mail that failed: applyOutsideReply and recordScheduleStatus.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyOutsideReply, recordScheduleStatus } from '../src/scheduling/incoming-reply.js';
import { ALICE, startTestServer, type TestServer } from './helpers/server.js';
import { appleInvitation, inboxMessages, paramOf } from './helpers/scheduling.js';

const EVENT = '/dav/calendars/alice/default/outside.ics';
const DAVE = 'mailto:dave@elsewhere.example';
const ERIN = 'mailto:erin@elsewhere.example';
const UID = 'outside-meeting';

function reply(attendees: string[], partstat: string, more: string[] = []): string {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', 'METHOD:REPLY',
    'BEGIN:VEVENT', `UID:${UID}`, 'DTSTAMP:20240605T120000Z', 'DTSTART:20240610T090000Z', 'SEQUENCE:0',
    'ORGANIZER;CN=Alice Example:mailto:alice@example.com',
    ...attendees.map((a) => `ATTENDEE;PARTSTAT=${partstat};CN=Guest:${a}`), ...more,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

describe('replies from outside attendees', () => {
  let s: TestServer;
  let tag: string;
  before(async () => {
    s = await startTestServer();
    const r = await s.request('PUT', EVENT, { body: appleInvitation({ uid: UID, attendees: [DAVE, ERIN] }) });
    assert.equal(r.status, 201, r.text);
    tag = r.headers.get('Schedule-Tag')!;
  });
  after(() => s.close());

  const stored = async () => (await s.request('GET', EVENT)).text;

  it('a reply from the attendee it names is merged into the organizer\'s copy and inbox; the Schedule-Tag stays', async () => {
    const result = await applyOutsideReply(s.server.dav, reply([DAVE], 'ACCEPTED'), 'mailto:Dave@Elsewhere.example');
    assert.deepEqual(result, { applied: true });
    assert.equal(paramOf(await stored(), DAVE, 'partstat'), 'ACCEPTED');
    assert.equal((await s.request('GET', EVENT)).headers.get('Schedule-Tag'), tag);
    assert.deepEqual(await inboxMessages(s, ALICE, UID), ['REPLY']);
  });

  it('a forged or unmatched reply changes nothing', async () => {
    const before = await stored();
    const cases: [string, string][] = [
      [reply([ERIN], 'DECLINED'), DAVE], // sent by someone else than the attendee it names
      [reply([DAVE, ERIN], 'DECLINED'), DAVE], // more than one attendee
      [reply(['mailto:mallory@evil.example'], 'ACCEPTED'), 'mailto:mallory@evil.example'], // not invited
      [reply([DAVE], 'DECLINED').replace(`UID:${UID}`, 'UID:no-such-event'), DAVE],
      [reply([DAVE], 'DECLINED').replace('mailto:alice@example.com', 'mailto:nobody@example.com'), DAVE],
      [reply([DAVE], 'DECLINED').replace('METHOD:REPLY', 'METHOD:REQUEST'), DAVE],
      ['not iCalendar at all', DAVE],
    ];
    for (const [text, sender] of cases) {
      const result = await applyOutsideReply(s.server.dav, text, sender);
      assert.equal(result.applied, false, text);
      assert.ok(result.reason, 'a reason is given');
    }
    assert.equal(await stored(), before);
    assert.deepEqual(await inboxMessages(s, ALICE, UID), ['REPLY']);
  });

  it('recordScheduleStatus sets the status of one attendee and leaves the Schedule-Tag', async () => {
    await recordScheduleStatus(s.server.dav, 'mailto:alice@example.com', UID, ERIN, '5.1;Could not deliver');
    const data = await stored();
    assert.equal(paramOf(data, ERIN, 'schedule-status'), '5.1;Could not deliver');
    assert.equal(paramOf(data, DAVE, 'partstat'), 'ACCEPTED');
    assert.equal((await s.request('GET', EVENT)).headers.get('Schedule-Tag'), tag);
  });
});
