import { randomUUID } from 'node:crypto';
import type { ImipConfig } from '../config.js';
import type { ItipMessage, OutsideDelivery } from './outside-delivery.js';

// iMIP out (RFC 6047): an iTIP message for someone who is not a local user leaves as a
// mail. The write that caused it only queues a job in its own transaction (a PUT is
// never delayed by a mail server); imip-worker.ts sends it, on whichever node claims it.

export const IMIP_QUEUE = 'imip';

/** What a queued mail carries: fixed at queueing, so every attempt sends the same mail. */
export interface ImipJob {
  message: ItipMessage;
  /** Kept across retries, so a receiver that got it twice can tell. */
  messageId: string;
  /** Epoch ms: retries stop imip.giveUpSeconds after it. */
  queuedAt: number;
}

/** RFC 5546 §3.6: 1.1 "sent, not yet delivered" — by mail we never learn more on success. */
const SENT_BY_MAIL = '1.1';
const NO_MAIL_SERVER = '5.1;No mail server is configured for attendees outside this server (imip.smtpUrl)';
const NOT_A_MAIL_ADDRESS = '3.7;Not a mailto: address, and not a user of this server';

/** The domain of the From address names our Message-IDs (RFC 5322 §3.6.4: unique, and ours). */
export function newMessageId(from: string): string {
  return `<${randomUUID()}@${from.slice(from.lastIndexOf('@') + 1)}>`;
}

/**
 * Queues iTIP messages as mails when a mail server is configured; otherwise (no
 * imip.smtpUrl, or no iMIP settings at all) says, per attendee, that none is.
 */
export function createOutsideDelivery(imip: Pick<ImipConfig, 'smtpUrl' | 'from'> | undefined): OutsideDelivery {
  return {
    async queue(tx, message) {
      if (!/^mailto:[^@\s]+@[^@\s]+$/i.test(message.recipient)) return NOT_A_MAIL_ADDRESS;
      if (!imip?.smtpUrl) return NO_MAIL_SERVER;
      const job: ImipJob = { message, messageId: newMessageId(imip.from), queuedAt: Date.now() };
      await tx.enqueue({ queue: IMIP_QUEUE, payload: JSON.stringify(job) });
      return SENT_BY_MAIL;
    },
  };
}
