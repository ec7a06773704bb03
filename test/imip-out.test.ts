// iMIP out (RFC 6047): an iTIP message for an outside attendee is queued with the write
// (imip-out.ts) and sent by the worker (imip-worker.ts) through a real SMTP server on
// loopback (the sink), on the suite's engine: the mail's headers and MIME shape, a
// retry after a temporary refusal or no connection, a permanent refusal or giving up
// reported once, and a mail queued by a worker that stopped sent by the next, once.

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig, type ImipConfig } from '../src/config.js';
import { createOutsideDelivery } from '../src/scheduling/imip-out.js';
import { startImipWorker } from '../src/scheduling/imip-worker.js';
import type { ItipMessage } from '../src/scheduling/outside-delivery.js';
import type { Store } from '../src/store/types.js';
import { freePort, startSmtpSink, type SinkMail, type SmtpSink } from './helpers/smtp-sink.js';
import { openTestStore } from './helpers/store.js';

const log = pino({ level: 'silent' });
const FROM = 'calendar@example.com';

const imipConfig = (smtpUrl: string, more: Partial<ImipConfig> = {}): ImipConfig => ({
  smtpUrl, from: FROM, listen: '', maxMessageBytes: 1_048_576, messagesPerSenderPerMinute: 10, giveUpSeconds: 600, ...more,
});

const CALENDAR = (method: string, sequence = 0) => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', `METHOD:${method}`,
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'END:DAYLIGHT',
  'END:VTIMEZONE',
  'BEGIN:VEVENT', 'UID:meeting-1', 'DTSTAMP:20240201T090000Z', `SEQUENCE:${sequence}`,
  'DTSTART;TZID=Europe/Berlin:20240304T100000', 'DTEND;TZID=Europe/Berlin:20240304T103000',
  'SUMMARY:Team meeting', 'LOCATION:Room 1', 'DESCRIPTION:Quarterly plans',
  'ORGANIZER;CN=Alice Example:mailto:alice@example.com',
  'ATTENDEE;CN=Carol;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.org',
  ...(method === 'CANCEL' ? ['STATUS:CANCELLED'] : []),
  'END:VEVENT', 'END:VCALENDAR', '',
].join('\r\n');

const invitation = (method = 'REQUEST', sequence = 0): ItipMessage => ({
  method, uid: 'meeting-1', sequence,
  organizer: 'mailto:alice@example.com', organizerName: 'Alice Example',
  sender: 'mailto:alice@example.com', senderName: 'Alice Example',
  recipient: 'mailto:carol@example.org', summary: 'Team meeting',
  calendar: CALENDAR(method, sequence),
});

/** Queues messages as a write would, each in its own transaction; returns the statuses. */
async function queue(store: Store, imip: ImipConfig, ...messages: ItipMessage[]): Promise<string[]> {
  const delivery = createOutsideDelivery(imip);
  const statuses: string[] = [];
  for (const m of messages) statuses.push(await store.transaction((tx) => delivery.queue(tx, m)));
  return statuses;
}

interface Failure {
  message: ItipMessage;
  status: string;
}

/** A worker on the store, stopped after the test; `failures` records what it reports as never sent. */
function worker(t: TestContext, store: Store, imip: ImipConfig) {
  const failures: Failure[] = [];
  const w = startImipWorker(store, imip, async (message, status) => void failures.push({ message, status }), log);
  t.after(() => w.stop());
  return { failures, stop: () => w.stop() };
}

async function sink(t: TestContext, port?: number): Promise<SmtpSink> {
  const s = await startSmtpSink(port);
  t.after(() => s.close());
  return s;
}

const calendarPart = (mail: SinkMail) => mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');

test('an invitation leaves as a mail from the server\'s address, with a readable part and a text/calendar; method=REQUEST part', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  const imip = imipConfig(smtp.url);
  worker(t, store, imip);
  assert.deepEqual(await queue(store, imip, invitation()), ['1.1']);
  const [mail] = await smtp.waitFor(1);

  assert.equal(mail!.mailFrom, FROM);
  assert.deepEqual(mail!.rcptTo, ['carol@example.org']);
  assert.deepEqual(mail!.parsed.from?.value, [{ name: 'Alice Example', address: FROM }]);
  assert.equal(mail!.parsed.to && !Array.isArray(mail!.parsed.to) ? mail!.parsed.to.value[0]!.address : undefined, 'carol@example.org');
  // Replies do not come back through the server (no listener): they go to the organizer.
  assert.deepEqual(mail!.parsed.replyTo?.value, [{ name: 'Alice Example', address: 'alice@example.com' }]);
  assert.equal(mail!.parsed.subject, 'Invitation: Team meeting (Mon 4 Mar 2024 10:00 Europe/Berlin)');
  assert.match(mail!.parsed.messageId ?? '', /^<[0-9a-f-]{36}@example\.com>$/);

  // RFC 6047 §2.4: multipart/mixed { multipart/alternative { text/plain, text/calendar }, invite.ics }.
  const raw = mail!.raw.toString('utf8');
  assert.match(raw, /^Content-Type: multipart\/mixed;/m);
  assert.match(raw, /^Content-Type: multipart\/alternative;/m);
  assert.match(raw, /^Content-Type: text\/calendar; charset=utf-8; method=REQUEST$/m);
  assert.match(raw, /^Content-Type: application\/ics; name=invite\.ics$/m);
  const part = calendarPart(mail!);
  assert.ok(part, 'a text/calendar part');
  assert.equal(part.content.toString('utf8'), CALENDAR('REQUEST'));
  assert.ok(mail!.parsed.attachments.some((a) => a.contentType === 'application/ics' && a.filename === 'invite.ics'));

  const text = mail!.parsed.text ?? '';
  assert.match(text, /^Alice Example has invited you to:/);
  assert.match(text, /Team meeting/);
  assert.match(text, /When: +Monday 4 March 2024, 10:00 – 10:30 \(Europe\/Berlin\)/);
  assert.match(text, /Where: +Room 1/);
  assert.match(text, /Organizer: Alice Example <alice@example\.com>/);
  assert.match(text, /Quarterly plans/);
  assert.match(text, /Accept, Maybe and Decline/);
});

test('updates and cancellations say so in the subject; with the listener on, replies come back (no Reply-To)', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  const imip = imipConfig(smtp.url, { listen: '127.0.0.1:2525' });
  worker(t, store, imip);
  await queue(store, imip, invitation('REQUEST', 2), invitation('CANCEL', 3));
  const mails = await smtp.waitFor(2);
  const subjects = mails.map((m) => m.parsed.subject).sort();
  assert.deepEqual(subjects, ['Cancelled: Team meeting (Mon 4 Mar 2024 10:00 Europe/Berlin)', 'Updated invitation: Team meeting (Mon 4 Mar 2024 10:00 Europe/Berlin)']);
  for (const mail of mails) assert.equal(mail.parsed.replyTo, undefined);
  const cancel = mails.find((m) => m.parsed.subject?.startsWith('Cancelled'))!;
  assert.match(cancel.raw.toString('utf8'), /^Content-Type: text\/calendar; charset=utf-8; method=CANCEL$/m);
  assert.match(cancel.parsed.text ?? '', /^Alice Example has cancelled:/);
  assert.doesNotMatch(cancel.parsed.text ?? '', /Decline/);
});

test('an all-day, repeating meeting is described as such', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  const imip = imipConfig(smtp.url);
  worker(t, store, imip);
  const calendar = CALENDAR('REQUEST')
    .replace('DTSTART;TZID=Europe/Berlin:20240304T100000', 'DTSTART;VALUE=DATE:20240304')
    .replace('DTEND;TZID=Europe/Berlin:20240304T103000', 'DTEND;VALUE=DATE:20240306\r\nRRULE:FREQ=WEEKLY;COUNT=4');
  await queue(store, imip, { ...invitation(), calendar });
  const [mail] = await smtp.waitFor(1);
  assert.equal(mail!.parsed.subject, 'Invitation: Team meeting (Mon 4 Mar 2024)');
  assert.match(mail!.parsed.text ?? '', /When: +Monday 4 March 2024 – Tuesday 5 March 2024 \(all day\), repeating/);
});

test('an attendee\'s answer to an outside organizer says what the answer is', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  const imip = imipConfig(smtp.url);
  worker(t, store, imip);
  const reply: ItipMessage = {
    ...invitation('REPLY'), sender: 'mailto:carol@example.org', senderName: 'Carol', recipient: 'mailto:alice@example.com',
    calendar: CALENDAR('REPLY').replace('PARTSTAT=NEEDS-ACTION;RSVP=TRUE', 'PARTSTAT=TENTATIVE'),
  };
  await queue(store, imip, reply);
  const [mail] = await smtp.waitFor(1);
  assert.deepEqual(mail!.rcptTo, ['alice@example.com']);
  assert.deepEqual(mail!.parsed.from?.value, [{ name: 'Carol', address: FROM }]);
  assert.deepEqual(mail!.parsed.replyTo?.value, [{ name: 'Carol', address: 'carol@example.org' }]);
  assert.equal(mail!.parsed.subject, 'Tentatively accepted: Team meeting (Mon 4 Mar 2024 10:00 Europe/Berlin)');
  assert.match(mail!.parsed.text ?? '', /^Carol has answered "tentatively accepted" to:/);
  assert.match(mail!.raw.toString('utf8'), /^Content-Type: text\/calendar; charset=utf-8; method=REPLY$/m);
});

test('the iMIP settings are checked at start-up', () => {
  const load = (env: Record<string, string>) => () => loadConfig({ DAVENPORT_DATA_DIR: '/tmp', ...env }, '');
  assert.throws(load({ DAVENPORT_SMTP_URL: 'smtp://mail.example.com:587' }), /imip\.from/);
  assert.throws(load({ DAVENPORT_IMIP_LISTEN: '0.0.0.0:25' }), /imip\.from/);
  assert.throws(load({ DAVENPORT_SMTP_URL: 'http://mail.example.com', DAVENPORT_IMIP_FROM: FROM }), /imip\.smtpUrl/);
  assert.throws(load({ DAVENPORT_IMIP_FROM: 'Calendar <calendar@example.com>' }), /imip\.from/);
  assert.throws(load({ DAVENPORT_IMIP_LISTEN: '25', DAVENPORT_IMIP_FROM: FROM }), /imip\.listen/);
  const config = load({ DAVENPORT_SMTP_URL: 'smtps://u%40x:p@mail.example.com:465', DAVENPORT_IMIP_FROM: FROM, DAVENPORT_IMIP_LISTEN: '[::]:2525' })();
  assert.equal(config.imip.smtpUrl, 'smtps://u%40x:p@mail.example.com:465');
  assert.equal(config.imip.listen, '[::]:2525');
  assert.equal(loadConfig({ DAVENPORT_DATA_DIR: '/tmp' }, '').imip.listen, '', 'off by default');
});

test('without a mail server an outside attendee gets a 5.x status that says so, and nothing is queued', async (t) => {
  const store = await openTestStore(t);
  const [status] = await queue(store, imipConfig(''), invitation());
  assert.match(status!, /^5\.\d;.*no mail server is configured/i);
  assert.equal((await store.claimJobs('imip', 10, 1000)).length, 0);
  const [notMail] = await queue(store, imipConfig('smtp://127.0.0.1:9'), { ...invitation(), recipient: 'urn:uuid:1234' });
  assert.match(notMail!, /^3\.7;/);
});

test('a temporary refusal (451) is retried with the same Message-ID, and the mail goes once', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  smtp.answer = (n) => (n === 1 ? { code: 451 } : {});
  const imip = imipConfig(smtp.url);
  const { failures } = worker(t, store, imip);
  await queue(store, imip, invitation());
  const [mail] = await smtp.waitFor(1, 8000);
  assert.equal(smtp.attempts, 2);
  assert.deepEqual(smtp.attemptIds, [mail!.parsed.messageId, mail!.parsed.messageId]);
  await sleep(2500);
  assert.equal(smtp.mails.length, 1);
  assert.deepEqual(failures, []);
});

test('a mail server that cannot be reached is tried again until it can', async (t) => {
  const store = await openTestStore(t);
  const port = await freePort();
  const imip = imipConfig(`smtp://127.0.0.1:${port}`);
  const { failures } = worker(t, store, imip);
  await queue(store, imip, invitation());
  await sleep(1500); // a first attempt or two fail: connection refused
  const smtp = await sink(t, port);
  await smtp.waitFor(1, 10_000);
  assert.deepEqual(failures, []);
});

test('a permanent refusal (550) is final: reported once with a 5.1 status, not retried', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  smtp.answer = () => ({ code: 550 });
  const imip = imipConfig(smtp.url);
  const { failures } = worker(t, store, imip);
  await queue(store, imip, invitation());
  await smtp.waitForAttempts(1);
  await sleep(2500);
  assert.equal(smtp.attempts, 1);
  assert.equal(failures.length, 1);
  assert.match(failures[0]!.status, /^5\.1;.*550/);
  assert.equal(failures[0]!.message.recipient, 'mailto:carol@example.org');
  assert.equal(failures[0]!.message.uid, 'meeting-1');
});

test('a mail still refused when its time is up is given up and reported once', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  smtp.answer = () => ({ code: 421 });
  const imip = imipConfig(smtp.url, { giveUpSeconds: 2 });
  const { failures } = worker(t, store, imip);
  await queue(store, imip, invitation());
  const deadline = Date.now() + 8000;
  while (failures.length === 0 && Date.now() < deadline) await sleep(100);
  assert.equal(failures.length, 1);
  assert.ok(smtp.attempts >= 2, `${smtp.attempts} attempts`);
  assert.match(failures[0]!.status, /^5\.1;/);
  const attempts = smtp.attempts;
  await sleep(2500);
  assert.equal(smtp.attempts, attempts);
  assert.equal(failures.length, 1);
});

test('a mail queued while its worker stops is sent by the next one, once', async (t) => {
  const store = await openTestStore(t);
  const smtp = await sink(t);
  smtp.answer = (n) => (n === 1 ? { code: 451 } : {});
  const imip = imipConfig(smtp.url);
  const first = worker(t, store, imip);
  await queue(store, imip, invitation());
  await smtp.waitForAttempts(1);
  await first.stop(); // before the retry: the job waits in the store
  assert.equal(smtp.mails.length, 0);
  worker(t, store, imip);
  await smtp.waitFor(1, 8000);
  await sleep(2500);
  assert.equal(smtp.mails.length, 1);
  assert.equal(smtp.attempts, 2);
});
