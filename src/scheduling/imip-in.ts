import type ICAL from 'ical.js';
import type { Attachment, ParsedMail } from 'mailparser';
import { parseVcalendar } from '../ical/calendar-object.js';
import { sameAddress } from './addresses.js';

// iMIP in (RFC 6047 §3): what a mail to the server's own address must be to be taken as
// an attendee's answer. It must carry an iTIP REPLY (as the text/calendar part of the
// message, as Outlook sends it, or an application/ics attachment, as Gmail adds), and
// every ATTENDEE in it must be the mail's From address. Nothing stronger ties the mail
// to its sender (no DKIM/SPF check): the scheduling core further refuses an attendee
// the organizer did not invite.

export type IncomingVerdict =
  /** `sender` is the mailto: address of the From header, which is the REPLY's ATTENDEE. */
  | { accepted: true; calendar: string; sender: string }
  /** `forged`: an iTIP REPLY, but not from the attendee it names. */
  | { accepted: false; forged: boolean; reason: string };

const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics']);

function isCalendarPart(part: Attachment): boolean {
  return CALENDAR_TYPES.has(part.contentType.toLowerCase()) || /\.ics$/i.test(part.filename ?? '');
}

/** The first calendar part that parses as an iTIP REPLY. */
function findReply(mail: ParsedMail): { text: string; vcalendar: ICAL.Component } | undefined {
  for (const part of mail.attachments.filter(isCalendarPart)) {
    const text = part.content.toString('utf8');
    let vcalendar: ICAL.Component;
    try {
      vcalendar = parseVcalendar(text);
    } catch {
      continue;
    }
    const method = vcalendar.getFirstPropertyValue('method');
    if (typeof method === 'string' && method.toUpperCase() === 'REPLY') return { text, vcalendar };
  }
  return undefined;
}

/** The addresses a REPLY answers for: one ATTENDEE per component (RFC 5546 §3.2.3), the same in each. */
function attendeesOf(vcalendar: ICAL.Component): string[] {
  return vcalendar
    .getAllSubcomponents()
    .flatMap((c) => c.getAllProperties('attendee'))
    .map((p) => String(p.getFirstValue() ?? ''));
}

export function readImipReply(mail: ParsedMail): IncomingVerdict {
  const reply = findReply(mail);
  if (!reply) return { accepted: false, forged: false, reason: 'not an iTIP REPLY' };
  const from = mail.from?.value.filter((a) => a.address) ?? [];
  if (from.length !== 1) return { accepted: false, forged: true, reason: 'the mail must have exactly one From address' };
  const sender = `mailto:${from[0]!.address!.toLowerCase()}`;
  const attendees = attendeesOf(reply.vcalendar);
  if (attendees.length === 0) return { accepted: false, forged: false, reason: 'the REPLY names no ATTENDEE' };
  const other = attendees.find((a) => !sameAddress(a, sender));
  if (other !== undefined) return { accepted: false, forged: true, reason: `the REPLY's ATTENDEE ${other} is not the sender ${sender}` };
  return { accepted: true, calendar: reply.text, sender };
}
