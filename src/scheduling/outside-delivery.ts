import type { StoreSession } from '../store/types.js';

/** One iTIP message (RFC 5546) for one calendar user who is not a local user. */
export interface ItipMessage {
  /** REQUEST, CANCEL, REPLY, … */
  method: string;
  uid: string;
  sequence: number;
  /** mailto: */
  organizer: string;
  organizerName?: string;
  /** Who sends it: the organizer, or (for a REPLY) the attendee; mailto: */
  sender: string;
  senderName?: string;
  /** mailto: */
  recipient: string;
  summary?: string;
  /** The full iCalendar text, with METHOD. */
  calendar: string;
}

/** How a message leaves the server for a recipient who is not a local user (iMIP: imip-out.ts). */
export interface OutsideDelivery {
  /** Queues the message with the session's transaction; returns the SCHEDULE-STATUS to record on the attendee. */
  queue(tx: StoreSession, message: ItipMessage): Promise<string>;
}
