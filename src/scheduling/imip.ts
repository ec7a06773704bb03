import type { Logger } from 'pino';
import type { ImipConfig } from '../config.js';
import type { Dav } from '../webdav/dav.js';
import { applyOutsideReply, recordScheduleStatus } from './incoming-reply.js';

export interface Imip {
  /** Sends and takes no more mail; resolves once mails in flight have ended. */
  stop(): Promise<void>;
}

/**
 * What a node runs for iMIP beside requests: the worker that sends queued invitations
 * (with imip.smtpUrl; a mail that finally fails marks its attendee in the organizer's
 * copy) and the SMTP listener that takes the guests' replies (with imip.listen).
 */
export async function startImip(dav: Dav, imip: ImipConfig, log: Logger): Promise<Imip> {
  // The mail libraries load only when configured (a server without iMIP stays smaller).
  // The listener first: should its port be taken, start-up fails with nothing left running.
  const listener = imip.listen
    ? await (await import('./smtp-listener.js')).startImipListener(imip, (calendar, sender) => applyOutsideReply(dav, calendar, sender), log)
    : undefined;
  const worker = imip.smtpUrl
    ? (await import('./imip-worker.js')).startImipWorker(dav.store, imip, (message, status) => recordScheduleStatus(dav, message.organizer, message.uid, message.recipient, status), log)
    : undefined;
  return {
    async stop() {
      await Promise.all([listener?.stop(), worker?.stop()]);
    },
  };
}
