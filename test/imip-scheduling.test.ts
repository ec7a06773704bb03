// iMIP end to end through the real server: Alice invites Bob (local) and Carol (outside)
// from a CalDAV client; Carol's invitation leaves by SMTP (a real loopback sink) without
// delaying the PUT; Carol's answer, mailed Gmail's or Outlook's way to the server's own
// SMTP listener, updates Alice's copy and inbox; a forged answer changes nothing; a mail
// refused for good marks Carol in Alice's copy; a mail queued when the server stops is
// sent after it starts again, once.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gmailReply, gmailReplyIcs, mailTo, outlookReply, outlookReplyIcs, refusalCode, type ReplyFields } from './helpers/imip-replies.js';
import { appleInvitation, copyOf, inboxMessages, paramOf, thunderbirdInvitation } from './helpers/scheduling.js';
import { ALICE, BOB, startServerAt, startTestServer, type TestServer } from './helpers/server.js';
import { freePort, startSmtpSink, type SinkMail, type SmtpSink } from './helpers/smtp-sink.js';

const ALICE_CAL = '/dav/calendars/alice/default/';
const BOB_MAIL = 'mailto:bob@example.com';
const CAROL_MAIL = 'mailto:carol@example.org';
const SERVER_MAIL = 'calendar@example.com';

const settings = (sink: SmtpSink, listenPort?: number): Record<string, string> => ({
  DAVENPORT_SMTP_URL: sink.url, DAVENPORT_IMIP_FROM: SERVER_MAIL, ...(listenPort ? { DAVENPORT_IMIP_LISTEN: `127.0.0.1:${listenPort}` } : {}),
});

async function put(s: TestServer, uid: string, body: string): Promise<void> {
  const r = await s.request('PUT', `${ALICE_CAL}${uid}.ics`, { body, headers: { 'Content-Type': 'text/calendar' } });
  assert.ok(r.status === 201 || r.status === 204, `PUT: ${r.status} ${r.text}`);
}

const aliceCopy = async (s: TestServer, uid: string) => (await s.request('GET', `${ALICE_CAL}${uid}.ics`)).text;
const carolStatus = async (s: TestServer, uid: string) => paramOf(await aliceCopy(s, uid), CAROL_MAIL, 'schedule-status');
const methodOf = (mail: SinkMail) => /^Content-Type: text\/calendar; charset=utf-8; method=(\w+)$/m.exec(mail.raw.toString('utf8'))?.[1];
const mailsAbout = (sink: SmtpSink, uid: string) => sink.mails.filter((m) => m.parsed.attachments.some((a) => a.content.toString('utf8').includes(`UID:${uid}`)));

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not after ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('iMIP with a mail server and the server\'s own SMTP listener', () => {
  let s: TestServer;
  let sink: SmtpSink;
  let listenPort: number;
  const reply = (uid: string, partstat: ReplyFields['partstat'], attendee = CAROL_MAIL): string =>
    gmailReplyIcs({ uid, organizer: 'mailto:alice@example.com', attendee, partstat });

  before(async () => {
    sink = await startSmtpSink();
    listenPort = await freePort();
    s = await startTestServer(settings(sink, listenPort));
  });
  after(async () => {
    await s.close();
    await sink.close();
  });

  it('Alice invites Bob and Carol: the PUT does not wait for a slow mail server; Carol gets the invitation; her answers by mail reach Alice', async () => {
    const uid = 'imip-meeting-1';
    const HOLD_MS = 3000;
    sink.answer = () => ({ delayMs: HOLD_MS });
    const started = Date.now();
    await put(s, uid, appleInvitation({ uid, attendees: [BOB_MAIL, CAROL_MAIL] }));
    assert.ok(Date.now() - started < HOLD_MS / 2, `PUT took ${Date.now() - started} ms`);
    assert.equal(paramOf(await aliceCopy(s, uid), BOB_MAIL, 'schedule-status'), '1.2;Delivered');
    assert.equal(await carolStatus(s, uid), '1.1');
    assert.ok(await copyOf(s, BOB, uid), 'Bob has it');

    const [mail] = await sink.waitFor(1, 8000);
    sink.answer = () => ({});
    assert.deepEqual(mail!.rcptTo, ['carol@example.org'], 'only Carol gets mail');
    assert.equal(mail!.mailFrom, SERVER_MAIL);
    assert.deepEqual(mail!.parsed.from?.value, [{ name: 'Alice Example', address: SERVER_MAIL }]);
    assert.equal(mail!.parsed.replyTo, undefined, 'replies come back to the server');
    assert.match(mail!.parsed.subject ?? '', /^Invitation: Planning \(Mon 10 Jun 2024 09:00 UTC\)$/);
    assert.equal(methodOf(mail!), 'REQUEST');
    const calendar = mail!.parsed.attachments.find((a) => a.contentType === 'text/calendar')!.content.toString('utf8');
    assert.match(calendar, /^METHOD:REQUEST\r$/m);
    assert.match(calendar, new RegExp(`^UID:${uid}\\r$`, 'm'));
    assert.doesNotMatch(calendar, /SCHEDULE-STATUS/i, 'the copy sent out carries no SCHEDULE-STATUS');

    // Carol clicks "Yes" in Gmail.
    await mailTo(listenPort, gmailReply('Carol <carol@example.org>', SERVER_MAIL, reply(uid, 'ACCEPTED')));
    assert.equal(paramOf(await aliceCopy(s, uid), CAROL_MAIL, 'partstat'), 'ACCEPTED');
    assert.deepEqual(await inboxMessages(s, ALICE, uid), ['REPLY']);

    // Then changes her mind in Outlook.
    await mailTo(listenPort, outlookReply('carol@example.org', SERVER_MAIL, outlookReplyIcs({ uid, organizer: 'mailto:alice@example.com', attendee: CAROL_MAIL, partstat: 'DECLINED' })));
    assert.equal(paramOf(await aliceCopy(s, uid), CAROL_MAIL, 'partstat'), 'DECLINED');
  });

  it('moving and cancelling the meeting reach Carol by mail', async () => {
    const uid = 'imip-meeting-2';
    await put(s, uid, thunderbirdInvitation({ uid, attendees: [CAROL_MAIL] }));
    await eventually('the invitation', async () => mailsAbout(sink, uid).length === 1);
    await put(s, uid, thunderbirdInvitation({ uid, attendees: [CAROL_MAIL], start: '20240612T140000Z', end: '20240612T150000Z', sequence: 1 }));
    await eventually('the update', async () => mailsAbout(sink, uid).length === 2);
    assert.equal((await s.request('DELETE', `${ALICE_CAL}${uid}.ics`)).status, 204);
    await eventually('the cancellation', async () => mailsAbout(sink, uid).length === 3);
    const mails = mailsAbout(sink, uid);
    assert.deepEqual(mails.map(methodOf), ['REQUEST', 'REQUEST', 'CANCEL']);
    assert.deepEqual(mails.map((m) => m.parsed.subject), [
      'Invitation: Review (Tue 11 Jun 2024 14:00 UTC)',
      'Updated invitation: Review (Wed 12 Jun 2024 14:00 UTC)',
      'Cancelled: Review (Wed 12 Jun 2024 14:00 UTC)',
    ]);
  });

  it('a forged answer changes nothing: From not the ATTENDEE, an attendee not invited, an event that is not there', async () => {
    const uid = 'imip-meeting-3';
    await put(s, uid, appleInvitation({ uid, attendees: [CAROL_MAIL] }));
    const before = await s.request('GET', `${ALICE_CAL}${uid}.ics`);
    const forgeries: [string, ReturnType<typeof gmailReply>][] = [
      ['From is not the ATTENDEE', gmailReply('mallory@example.net', SERVER_MAIL, reply(uid, 'DECLINED'))],
      ['the attendee was not invited', gmailReply('mallory@example.net', SERVER_MAIL, reply(uid, 'ACCEPTED', 'mailto:mallory@example.net'))],
      ['a local attendee\'s answer by mail', gmailReply('bob@example.com', SERVER_MAIL, reply(uid, 'ACCEPTED', BOB_MAIL))],
      ['no such event', gmailReply('carol@example.org', SERVER_MAIL, reply('no-such-meeting', 'DECLINED'))],
    ];
    for (const [what, mail] of forgeries) assert.equal(await refusalCode(mailTo(listenPort, mail)), 550, what);
    const after = await s.request('GET', `${ALICE_CAL}${uid}.ics`);
    assert.equal(after.headers.get('ETag'), before.headers.get('ETag'));
    assert.equal(after.text, before.text);
    assert.deepEqual(await inboxMessages(s, ALICE, uid), []);
  });

  it('a mail the mail server refuses for good (550) marks Carol in Alice\'s copy with 5.1', async () => {
    const uid = 'imip-meeting-4';
    sink.answer = () => ({ code: 550 });
    try {
      await put(s, uid, appleInvitation({ uid, attendees: [CAROL_MAIL] }));
      await eventually('the 5.1 status', async () => /^5\.1;/.test((await carolStatus(s, uid)) ?? ''));
    } finally {
      sink.answer = () => ({});
    }
  });
});

describe('iMIP queue across a restart', () => {
  it('a mail still queued when the server stops is sent after it starts again, once', async () => {
    const sink = await startSmtpSink();
    const first = await startTestServer(settings(sink));
    let second: TestServer | undefined;
    try {
      sink.answer = (n) => (n === 1 ? { code: 451 } : {});
      const uid = 'imip-restart';
      await put(first, uid, appleInvitation({ uid, attendees: [CAROL_MAIL] }));
      await sink.waitForAttempts(1);
      await first.server.close(); // the store stays; the retry is due in a second
      assert.equal(sink.mails.length, 0);
      second = await startServerAt(first.location, settings(sink));
      await sink.waitFor(1, 8000);
      await sleep(2500);
      assert.equal(sink.mails.length, 1);
      assert.equal(sink.attempts, 2);
      assert.deepEqual(new Set(sink.attemptIds).size, 1, 'the same Message-ID both times');
    } finally {
      await (second ?? first).close();
      await sink.close();
    }
  });
});

describe('iMIP without a mail server', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.close());

  it('an outside attendee gets a 5.x SCHEDULE-STATUS that says no mail server is configured; local ones are served', async () => {
    const uid = 'no-smtp';
    await put(s, uid, appleInvitation({ uid, attendees: [BOB_MAIL, CAROL_MAIL] }));
    const copy = await aliceCopy(s, uid);
    assert.match(paramOf(copy, CAROL_MAIL, 'schedule-status') ?? '', /^5\.\d;.*no mail server is configured/i);
    assert.equal(paramOf(copy, BOB_MAIL, 'schedule-status'), '1.2;Delivered');
  });
});
