// iMIP in: the server's own SMTP listener (smtp-listener.ts, imip-in.ts) on loopback,
// fed by nodemailer as a guest's mail server would. Only mail for the imip.from address,
// only iTIP REPLYs whose ATTENDEE is the From address reach the scheduling core (here a
// recorder, so these tests see exactly what would be applied); everything else is
// refused in the SMTP session, and size and per-sender rate limits apply.
// (test/imip-scheduling.test.ts runs the same through the real server and its store.)

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { pino } from 'pino';
import type { ImipConfig } from '../src/config.js';
import { startImipListener, type ApplyReply } from '../src/scheduling/smtp-listener.js';
import { gmailReply, gmailReplyIcs, mailTo, outlookReply, outlookReplyIcs, refusalCode, type ReplyFields } from './helpers/imip-replies.js';

interface LogLine {
  level: number;
  msg: string;
  reason?: string;
}
/** What the listener logs, parsed (pino: 30 info, 40 warn). */
const lines: LogLine[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
const WARN = 40;
const logged = (reason: RegExp) => lines.filter((l) => l.reason !== undefined && reason.test(l.reason));
const FROM = 'Calendar@Example.com';
const CAROL: ReplyFields = { uid: 'meeting-1', organizer: 'mailto:alice@example.com', attendee: 'mailto:carol@example.org', partstat: 'ACCEPTED' };

interface Applied {
  calendar: string;
  sender: string;
}

/** A listener on a free loopback port whose scheduling core records what it is given (and answers `answer`). */
async function listener(t: TestContext, more: Partial<ImipConfig> = {}, answer: Awaited<ReturnType<ApplyReply>> = { applied: true }) {
  const applied: Applied[] = [];
  const imip: ImipConfig = { smtpUrl: '', from: FROM, listen: '127.0.0.1:0', maxMessageBytes: 65_536, messagesPerSenderPerMinute: 10, giveUpSeconds: 600, ...more };
  const l = await startImipListener(imip, async (calendar, sender) => {
    applied.push({ calendar, sender });
    return answer;
  }, log);
  t.after(() => l.stop());
  return { port: l.port, applied };
}

test('a Gmail-shaped acceptance is handed on, with the sender as a mailto: address', async (t) => {
  const { port, applied } = await listener(t);
  const ics = gmailReplyIcs(CAROL);
  await mailTo(port, gmailReply('Carol <Carol@Example.org>', 'calendar@example.com', ics));
  assert.deepEqual(applied, [{ calendar: ics, sender: 'mailto:carol@example.org' }]);
});

test('a reply that only carries an application/ics attachment is found too', async (t) => {
  const { port, applied } = await listener(t);
  const ics = gmailReplyIcs(CAROL);
  await mailTo(port, {
    from: 'carol@example.org', to: FROM, subject: 'Accepted', text: 'Accepted',
    attachments: [{ filename: 'invite.ics', contentType: 'application/ics', content: ics }],
  });
  assert.deepEqual(applied.map((a) => a.calendar), [ics]);
});

test('an Outlook-shaped decline (base64 text/calendar alternative, MAILTO: in capitals) is handed on', async (t) => {
  const { port, applied } = await listener(t);
  const ics = outlookReplyIcs({ ...CAROL, partstat: 'DECLINED' });
  await mailTo(port, outlookReply('"Carol" <carol@example.org>', FROM, ics));
  assert.deepEqual(applied, [{ calendar: ics, sender: 'mailto:carol@example.org' }]);
});

test('a REPLY whose ATTENDEE is not the From address is refused (550) and not handed on', async (t) => {
  const { port, applied } = await listener(t);
  const forged = refusalCode(mailTo(port, gmailReply('mallory@example.net', FROM, gmailReplyIcs(CAROL))));
  assert.equal(await forged, 550);
  const twoFroms = refusalCode(mailTo(port, gmailReply('carol@example.org, mallory@example.net', FROM, gmailReplyIcs(CAROL))));
  assert.equal(await twoFroms, 550);
  assert.deepEqual(applied, []);
  const warned = logged(/ATTENDEE mailto:carol@example\.org is not the sender mailto:mallory@example\.net/);
  assert.deepEqual(warned.map((l) => [l.level, l.msg]), [[WARN, 'iMIP mail dropped']]);
});

test('mail that is no iTIP REPLY is refused (550): plain mail, a REQUEST, broken iCalendar', async (t) => {
  const { port, applied } = await listener(t);
  const plain = { from: 'carol@example.org', to: FROM, subject: 'Hello', text: 'Just saying hello' };
  assert.equal(await refusalCode(mailTo(port, plain)), 550);
  const request = gmailReply('carol@example.org', FROM, gmailReplyIcs(CAROL).replace('METHOD:REPLY', 'METHOD:REQUEST'));
  request.icalEvent = { method: 'REQUEST', content: String((request.icalEvent as { content: string }).content) };
  assert.equal(await refusalCode(mailTo(port, request)), 550);
  const broken = gmailReply('carol@example.org', FROM, 'BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n');
  assert.equal(await refusalCode(mailTo(port, broken)), 550);
  assert.deepEqual(applied, []);
  assert.ok(logged(/^not an iTIP REPLY$/).length >= 3);
});

test('what the scheduling core refuses (an attendee not invited) is refused to the sender (550)', async (t) => {
  const { port, applied } = await listener(t, {}, { applied: false, reason: 'not an attendee of that event' });
  assert.equal(await refusalCode(mailTo(port, gmailReply('dave@example.net', FROM, gmailReplyIcs({ ...CAROL, attendee: 'mailto:dave@example.net' })))), 550);
  assert.equal(applied.length, 1);
});

test('only mail for the imip.from address is taken (any case); others are refused at RCPT TO', async (t) => {
  const { port, applied } = await listener(t);
  assert.equal(await refusalCode(mailTo(port, gmailReply('carol@example.org', 'alice@example.com', gmailReplyIcs(CAROL)))), 550);
  assert.equal(applied.length, 0);
  await mailTo(port, gmailReply('carol@example.org', 'CALENDAR@example.COM', gmailReplyIcs(CAROL)));
  assert.equal(applied.length, 1);
});

test('a mail over imip.maxMessageBytes is refused (552)', async (t) => {
  const { port, applied } = await listener(t, { maxMessageBytes: 4096 });
  const big = gmailReply('carol@example.org', FROM, gmailReplyIcs(CAROL));
  big.text = 'x'.repeat(10_000);
  assert.equal(await refusalCode(mailTo(port, big)), 552);
  assert.deepEqual(applied, []);
});

test('a sender over imip.messagesPerSenderPerMinute is deferred (450); others still get through', async (t) => {
  const { port, applied } = await listener(t, { messagesPerSenderPerMinute: 2 });
  const reply = () => gmailReply('carol@example.org', FROM, gmailReplyIcs(CAROL));
  await mailTo(port, reply());
  await mailTo(port, reply());
  assert.equal(await refusalCode(mailTo(port, reply())), 450);
  await mailTo(port, gmailReply('dave@example.net', FROM, gmailReplyIcs({ ...CAROL, attendee: 'mailto:dave@example.net' })));
  assert.equal(applied.length, 3);
});

test('a passing failure of the scheduling core is a temporary refusal (451): the sender\'s server tries again', async (t) => {
  const applied: string[] = [];
  const imip: ImipConfig = { smtpUrl: '', from: FROM, listen: '127.0.0.1:0', maxMessageBytes: 65_536, messagesPerSenderPerMinute: 10, giveUpSeconds: 600 };
  const l = await startImipListener(imip, async (calendar) => {
    applied.push(calendar);
    throw new Error('database unavailable');
  }, log);
  t.after(() => l.stop());
  assert.equal(await refusalCode(mailTo(l.port, gmailReply('carol@example.org', FROM, gmailReplyIcs(CAROL)))), 451);
  assert.equal(applied.length, 1);
});
