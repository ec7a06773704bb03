import ICAL from 'ical.js';
import type { SendMailOptions } from 'nodemailer';
import { parseVcalendar } from '../ical/calendar-object.js';
import { wallMs } from '../ical/timezones.js';
import { mailtoAddress } from './addresses.js';
import type { ItipMessage } from './outside-delivery.js';

// The mail an iTIP message travels in (RFC 6047): From the server's own address with the
// sender's name, a readable text part, and the iCalendar as a `text/calendar;
// method=…` alternative plus an invite.ics attachment (nodemailer's icalEvent: the
// multipart/mixed → multipart/alternative shape Gmail and Outlook show buttons for).

export interface MailSettings {
  /** imip.from: every mail comes from it (mail servers refuse to send for others' domains). */
  from: string;
  /** The server's own listener takes replies at `from`; otherwise they go to the sender (Reply-To). */
  repliesComeBack: boolean;
}

/** What the text part and subject say about the event. */
interface EventFacts {
  summary: string;
  when: string | undefined;
  /** Short form of the start, for the subject. */
  startsShort: string | undefined;
  repeats: boolean;
  location: string | undefined;
  description: string | undefined;
  /** For a REPLY: the answer of its one attendee. */
  partstat: string | undefined;
}

const LONG = { weekday: new Intl.DateTimeFormat('en', { timeZone: 'UTC', weekday: 'long' }), month: new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'long' }) };
const SHORT = { weekday: new Intl.DateTimeFormat('en', { timeZone: 'UTC', weekday: 'short' }), month: new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'short' }) };
const pad = (n: number) => String(n).padStart(2, '0');

/** A date-time value as its own wall clock says it, with the zone it is in; `undefined` if it is none. */
function wallClock(prop: ICAL.Property | null): { time: ICAL.Time; zone: string } | undefined {
  let value: unknown;
  try {
    value = prop?.getFirstValue();
  } catch {
    return undefined; // ical.js cannot read it: left out of the text, still in the attachment
  }
  if (!(value instanceof ICAL.Time)) return undefined;
  const utc = value.zone === ICAL.Timezone.utcTimezone || value.zone?.tzid === 'UTC';
  return { time: value, zone: value.isDate ? '' : utc ? 'UTC' : (prop!.getFirstParameter('tzid') ?? '') };
}

/** "Monday 4 March 2024" (LONG) or "Mon 4 Mar 2024" (SHORT): built from names alone, the same on every ICU. */
function dayOf(t: ICAL.Time, names: typeof LONG): string {
  const day = wallMs(t.year, t.month, t.day, 0, 0, 0);
  return `${names.weekday.format(day)} ${t.day} ${names.month.format(day)} ${t.year}`;
}
const clockOf = (t: ICAL.Time) => `${pad(t.hour)}:${pad(t.minute)}`;
const sameDay = (a: ICAL.Time, b: ICAL.Time) => a.year === b.year && a.month === b.month && a.day === b.day;

/** "Monday 4 March 2024, 10:00 – 10:30 (Europe/Berlin)", as the organizer wrote it. */
function describeWhen(start: { time: ICAL.Time; zone: string }, end: ICAL.Time | undefined): string {
  const s = start.time;
  const zone = start.zone ? ` (${start.zone})` : '';
  if (s.isDate) {
    // DTEND of an all-day event is the day after its last.
    const last = end && end.isDate ? end.clone() : undefined;
    last?.adjust(-1, 0, 0, 0);
    return last && last.compare(s) > 0 ? `${dayOf(s, LONG)} – ${dayOf(last, LONG)} (all day)` : `${dayOf(s, LONG)} (all day)`;
  }
  if (!end) return `${dayOf(s, LONG)}, ${clockOf(s)}${zone}`;
  const until = sameDay(s, end) ? clockOf(end) : `${dayOf(end, LONG)}, ${clockOf(end)}`;
  return `${dayOf(s, LONG)}, ${clockOf(s)} – ${until}${zone}`;
}

/** The main component (not an override of one instance), else the first, of the message. */
function mainComponent(vcalendar: ICAL.Component): ICAL.Component | undefined {
  const components = ['vevent', 'vtodo', 'vjournal'].flatMap((name) => vcalendar.getAllSubcomponents(name));
  return components.find((c) => !c.hasProperty('recurrence-id')) ?? components[0];
}

function textOf(component: ICAL.Component, name: string): string | undefined {
  const value = component.getFirstPropertyValue(name);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function eventFacts(message: ItipMessage): EventFacts {
  let component: ICAL.Component | undefined;
  try {
    component = mainComponent(parseVcalendar(message.calendar));
  } catch {
    component = undefined; // the scheduling core made it; should it not parse, the mail still goes
  }
  const summary = (component && textOf(component, 'summary')) ?? message.summary ?? '(no title)';
  if (!component) return { summary, when: undefined, startsShort: undefined, repeats: false, location: undefined, description: undefined, partstat: undefined };
  const start = wallClock(component.getFirstProperty('dtstart'));
  let end = wallClock(component.getFirstProperty('dtend') ?? component.getFirstProperty('due'))?.time;
  const duration = component.getFirstPropertyValue('duration');
  if (!end && start && duration instanceof ICAL.Duration) {
    end = start.time.clone();
    end.addDuration(duration);
  }
  const attendee = component.getFirstProperty('attendee');
  return {
    summary,
    when: start && describeWhen(start, end),
    startsShort: start && `${dayOf(start.time, SHORT)}${start.time.isDate ? '' : ` ${clockOf(start.time)}${start.zone ? ` ${start.zone}` : ''}`}`,
    repeats: component.hasProperty('rrule') || component.hasProperty('rdate'),
    location: textOf(component, 'location'),
    description: textOf(component, 'description'),
    partstat: attendee?.getFirstParameter('partstat')?.toUpperCase(),
  };
}

const ANSWERS: Record<string, string> = { ACCEPTED: 'Accepted', DECLINED: 'Declined', TENTATIVE: 'Tentatively accepted', DELEGATED: 'Delegated' };

/** What happened, as the subject's first word and the text's sentence ("Alice has invited you to"). */
function headline(message: ItipMessage, facts: EventFacts): { subject: string; sentence: string } {
  switch (message.method.toUpperCase()) {
    case 'REQUEST':
      return message.sequence > 0
        ? { subject: 'Updated invitation', sentence: 'has updated the invitation to' }
        : { subject: 'Invitation', sentence: 'has invited you to' };
    case 'CANCEL':
      return { subject: 'Cancelled', sentence: 'has cancelled' };
    case 'REPLY': {
      const answer = ANSWERS[facts.partstat ?? ''];
      return answer ? { subject: answer, sentence: `has answered "${answer.toLowerCase()}" to` } : { subject: 'Reply', sentence: 'has replied to' };
    }
    default:
      return { subject: message.method.charAt(0) + message.method.slice(1).toLowerCase(), sentence: `has sent a ${message.method.toUpperCase()} about` };
  }
}

function howToRespond(message: ItipMessage, settings: MailSettings): string | undefined {
  if (message.method.toUpperCase() !== 'REQUEST') return undefined;
  const where = settings.repliesComeBack ? 'the organizer\'s calendar is updated' : 'your answer goes to the organizer';
  return `To answer, use the Accept, Maybe and Decline buttons your mail program shows for this invitation, or open the attached invite.ics in your calendar program: ${where}.`;
}

const who = (name: string | undefined, address: string) => {
  const email = mailtoAddress(address) ?? address;
  return name ? `${name} <${email}>` : email;
};

function textPart(message: ItipMessage, settings: MailSettings, facts: EventFacts, sentence: string): string {
  const lines = [`${message.senderName ?? mailtoAddress(message.sender) ?? message.sender} ${sentence}:`, '', `  ${facts.summary}`, ''];
  if (facts.when) lines.push(`  When:      ${facts.when}${facts.repeats ? ', repeating' : ''}`);
  if (facts.location) lines.push(`  Where:     ${facts.location}`);
  lines.push(`  Organizer: ${who(message.organizerName, message.organizer)}`);
  if (facts.description) lines.push('', ...facts.description.split(/\r?\n/).map((l) => `  ${l}`));
  const respond = howToRespond(message, settings);
  if (respond) lines.push('', respond);
  return `${lines.join('\n')}\n`;
}

/** The mail for one iTIP message to one outside recipient. */
export function composeImipMail(message: ItipMessage, settings: MailSettings, messageId: string): SendMailOptions {
  const facts = eventFacts(message);
  const { subject, sentence } = headline(message, facts);
  const method = message.method.toUpperCase();
  const recipient = mailtoAddress(message.recipient) ?? message.recipient;
  const senderEmail = mailtoAddress(message.sender);
  return {
    from: { name: message.senderName ?? senderEmail ?? '', address: settings.from },
    to: recipient,
    ...(!settings.repliesComeBack && senderEmail ? { replyTo: { name: message.senderName ?? '', address: senderEmail } } : {}),
    subject: `${subject}: ${facts.summary}${facts.startsShort ? ` (${facts.startsShort})` : ''}`,
    messageId,
    text: textPart(message, settings, facts, sentence),
    icalEvent: { method, content: message.calendar },
  };
}
