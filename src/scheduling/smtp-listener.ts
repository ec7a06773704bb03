import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { ImipConfig } from '../config.js';
import { readImipReply } from './imip-in.js';
import { RateLimit } from './smtp-rate-limit.js';

// The server's own SMTP listener (imip.listen): takes mail for the imip.from address
// only, so a guest's "Accept" in Gmail or Outlook comes straight back to the organizer's
// calendar. Everything is decided while the sender waits: a mail that is not a
// guest's reply is refused (5xx, the sender's own server tells them), a passing failure
// of ours is 4xx (their server tries again). No AUTH and no relaying; no STARTTLS
// either, for want of a certificate of our own (smtp-server's built-in one is public).

/** The scheduling core's merge of a REPLY into the organizer's copy (incoming-reply.ts). */
export type ApplyReply = (calendar: string, sender: string) => Promise<{ applied: boolean; reason?: string }>;

export interface ImipListener {
  /** The port it listens on (useful when imip.listen asks for port 0). */
  port: number;
  /** Takes no more connections; resolves once the open ones have ended (or were cut after a grace period). */
  stop(): Promise<void>;
}

const SOCKET_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 5_000;
const MAX_CLIENTS = 50;

/** An SMTP refusal with its reply code (smtp-server answers with err.responseCode). */
function refusal(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** The message as bytes, at most `max` of them kept; undefined if it was longer (the rest is read and dropped). */
async function readBounded(stream: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= max) chunks.push(chunk as Buffer);
  }
  return size <= max ? Buffer.concat(chunks) : undefined;
}

function splitHostPort(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(listen.slice(at + 1)) };
}

export async function startImipListener(imip: ImipConfig, applyReply: ApplyReply, log: Logger): Promise<ImipListener> {
  const ourAddress = imip.from.toLowerCase();
  const rate = new RateLimit(imip.messagesPerSenderPerMinute);

  const handle = async (stream: Readable, session: SMTPServerSession): Promise<string> => {
    const bytes = await readBounded(stream, imip.maxMessageBytes);
    const about = { remote: session.remoteAddress, envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' };
    if (!bytes) {
      log.info(about, 'iMIP mail dropped: too large');
      throw refusal(552, `Message exceeds the maximum size of ${imip.maxMessageBytes} bytes`);
    }
    const mail = await simpleParser(bytes, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    const described = { ...about, from: mail.from?.text, messageId: mail.messageId };
    const verdict = readImipReply(mail);
    if (!verdict.accepted) {
      log[verdict.forged ? 'warn' : 'info']({ ...described, reason: verdict.reason }, 'iMIP mail dropped');
      throw refusal(550, `Not accepted: ${verdict.reason}`);
    }
    const result = await applyReply(verdict.calendar, verdict.sender);
    if (!result.applied) {
      log.warn({ ...described, reason: result.reason }, 'iMIP reply refused');
      throw refusal(550, `Reply not accepted: ${result.reason ?? 'no matching invitation'}`);
    }
    log.info(described, 'iMIP reply applied');
    return 'Reply recorded';
  };

  const server = new SMTPServer({
    banner: 'Davenport iMIP',
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: imip.maxMessageBytes,
    maxClients: MAX_CLIENTS,
    maxRecipients: 10,
    socketTimeout: SOCKET_TIMEOUT_MS,
    closeTimeout: CLOSE_TIMEOUT_MS,
    disableReverseLookup: true,
    logger: false,
    onMailFrom(address, session, callback) {
      const sender = address.address.toLowerCase() || `<> from ${session.remoteAddress}`;
      if (rate.take(sender)) return callback();
      log.warn({ sender, remote: session.remoteAddress }, 'iMIP mail deferred: too many from this sender');
      callback(refusal(450, 'Too many messages from this sender; try again later'));
    },
    onRcptTo(address, _session, callback) {
      callback(address.address.toLowerCase() === ourAddress ? undefined : refusal(550, 'No such recipient here'));
    },
    onData(stream, session, callback) {
      handle(stream, session).then(
        (message) => callback(null, message),
        (err: Error & { responseCode?: number }) => {
          if (err.responseCode) return callback(err);
          log.warn({ err, remote: session.remoteAddress }, 'iMIP mail failed');
          callback(refusal(451, 'Temporary failure; try again later'));
        },
      );
    },
  });
  server.on('error', (err) => log.warn({ err }, 'iMIP listener'));

  const { host, port } = splitHostPort(imip.listen);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  log.info({ listen: imip.listen, address: imip.from }, 'iMIP listener started');
  return {
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
