import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { ImipConfig } from '../config.js';
import { startJobWorker, type JobOutcome, type JobWorker } from '../store/job-worker.js';
import type { Job, Store } from '../store/types.js';
import { composeImipMail } from './imip-mail.js';
import { IMIP_QUEUE, type ImipJob } from './imip-out.js';
import type { ItipMessage } from './outside-delivery.js';

// Sends the queued iMIP mails (imip-out.ts) through the configured mail server, on every
// node, each mail by the node that claims it. A temporary refusal (4xx, no connection)
// is tried again later, sooner first; a permanent one (5xx), or still failing after
// imip.giveUpSeconds, is final: the organizer's copy then says so on the attendee.

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 3_600_000;
/** Far more than one send can take (the timeouts below), so a claim never runs out mid-send and the mail goes twice. */
const LEASE_MS = 5 * 60_000;
const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

/** Told when a mail will never go: to put `status` (5.x) on the attendee in the organizer's copy. */
export type MailFailed = (message: ItipMessage, status: string) => Promise<void>;

/** What nodemailer's errors carry: an SMTP reply's code, or a code of its own (ECONNECTION, EENVELOPE, …). */
interface SendError {
  responseCode?: number;
  code?: string;
  response?: string;
  message?: string;
}

/** 5xx is the mail server's final word; an envelope nodemailer itself refused would fail every time. */
function isPermanent(err: SendError): boolean {
  if (typeof err.responseCode === 'number') return err.responseCode >= 500 && err.responseCode < 600;
  return err.code === 'EENVELOPE' || err.code === 'EMESSAGE';
}

/** A SCHEDULE-STATUS text is one line after the code, and a parameter value: no quotes in it. */
const oneLine = (text: string) => text.replace(/[\r\n"]+/g, ' ').replace(/;/g, ',').slice(0, 200);

export function startImipWorker(store: Store, imip: ImipConfig, onFailed: MailFailed, log: Logger): JobWorker {
  const transport = nodemailer.createTransport({ url: imip.smtpUrl, ...TIMEOUTS });
  const settings = { from: imip.from, repliesComeBack: imip.listen !== '' };

  const send = async (job: Job): Promise<JobOutcome> => {
    const { message, messageId, queuedAt } = JSON.parse(job.payload) as ImipJob;
    const about = { uid: message.uid, method: message.method, recipient: message.recipient, messageId, attempt: job.attempts };
    try {
      await transport.sendMail(composeImipMail(message, settings, messageId));
      log.info(about, 'iMIP mail sent');
      return 'done';
    } catch (e) {
      const err = e as SendError;
      const reason = oneLine(err.response ?? err.message ?? String(e));
      const retryAt = Date.now() + Math.min(FIRST_RETRY_MS * 2 ** (job.attempts - 1), MAX_RETRY_MS);
      if (!isPermanent(err) && retryAt <= queuedAt + imip.giveUpSeconds * 1000) {
        log.info({ ...about, reason }, 'iMIP mail not sent yet, will retry');
        return { retryAt };
      }
      log.warn({ ...about, reason }, 'iMIP mail could not be sent');
      await onFailed(message, `5.1;Could not send the invitation by mail: ${reason}`);
      return 'done';
    }
  };

  const worker = startJobWorker(store, IMIP_QUEUE, send, {
    concurrency: 4, leaseMs: LEASE_MS, pollMs: 1000,
    onError: (err, job) => log.warn({ err, job: job?.id }, 'iMIP delivery'),
  });
  return {
    async stop() {
      await worker.stop();
      transport.close();
    },
  };
}
