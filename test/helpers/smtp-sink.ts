import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';

// A real SMTP server on loopback standing for the mail server the server sends through:
// it records every mail it accepts (and every attempt), and answers DATA as the test
// says: accept, refuse with a code, or hold the mail first.

export interface SinkMail {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SinkAnswer {
  /** SMTP reply code for a refusal (4xx, 5xx); undefined accepts. */
  code?: number;
  /** Hold the mail this long before answering. */
  delayMs?: number;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:<port>, for DAVENPORT_SMTP_URL. */
  url: string;
  port: number;
  /** The mails accepted, in order. */
  mails: SinkMail[];
  /** How many DATA were received, accepted or not. */
  attempts: number;
  /** The Message-ID of each DATA received, in order. */
  attemptIds: string[];
  /** How the n-th attempt (1-based) is answered; accept unless replaced. */
  answer: (attempt: number) => SinkAnswer;
  /** Resolves once at least `count` mails were accepted; rejects after timeoutMs. */
  waitFor(count: number, timeoutMs?: number): Promise<SinkMail[]>;
  /** Resolves once at least `count` attempts were made. */
  waitForAttempts(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const waiters = new Set<() => void>();
  const until = (done: () => boolean, timeoutMs: number, what: () => string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`smtp sink: ${what()}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const wake = () => [...waiters].forEach((w) => w());

  const sink: SmtpSink = {
    url: '',
    port: 0,
    mails: [],
    attempts: 0,
    attemptIds: [],
    answer: () => ({}),
    async waitFor(count, timeoutMs = 5000) {
      await until(() => sink.mails.length >= count, timeoutMs, () => `${sink.mails.length} mails after ${timeoutMs} ms, expected ${count}`);
      return sink.mails;
    },
    waitForAttempts(count, timeoutMs = 5000) {
      return until(() => sink.attempts >= count, timeoutMs, () => `${sink.attempts} attempts after ${timeoutMs} ms, expected ${count}`);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      readAll(stream).then(async (raw) => {
        sink.attemptIds.push(/^Message-ID: *(.*)$/im.exec(raw.toString('utf8'))?.[1]?.trim() ?? '');
        const answer = sink.answer(++sink.attempts);
        wake();
        if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
        if (answer.code) return callback(Object.assign(new Error(`refused by the test (${answer.code})`), { responseCode: answer.code }));
        sink.mails.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          parsed: await simpleParser(raw),
        });
        wake();
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  return sink;
}

/** A loopback port nobody listens on (just freed): connections to it are refused. */
export async function freePort(): Promise<number> {
  const sink = await startSmtpSink();
  await sink.close();
  return sink.port;
}
