import nodemailer, { type SendMailOptions } from 'nodemailer';

// Replies to an invitation as real mail programs send them back, mailed with nodemailer
// to the server's SMTP listener: Gmail's shape (multipart/mixed: text, HTML and the
// text/calendar; method=REPLY alternative, plus invite.ics as application/ics) and
// Outlook's (multipart/alternative: text, HTML, text/calendar in base64, no attachment).

export interface ReplyFields {
  uid: string;
  organizer: string;
  attendee: string;
  partstat: 'ACCEPTED' | 'DECLINED' | 'TENTATIVE';
  sequence?: number;
}

/** The iCalendar a guest's Gmail sends back. */
export function gmailReplyIcs(r: ReplyFields): string {
  return [
    'BEGIN:VCALENDAR', 'PRODID:-//Google Inc//Google Calendar 70.9054//EN', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'METHOD:REPLY',
    'BEGIN:VEVENT', 'DTSTART:20240304T090000Z', 'DTEND:20240304T093000Z', 'DTSTAMP:20240302T120000Z',
    `ORGANIZER;CN=Alice Example:${r.organizer}`, `UID:${r.uid}`,
    `ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=${r.partstat};CN=${r.attendee.replace(/^mailto:/i, '')};X-NUM-GUESTS=0:${r.attendee}`,
    'CREATED:20240201T090000Z', 'LAST-MODIFIED:20240302T120000Z', `SEQUENCE:${r.sequence ?? 0}`, 'STATUS:CONFIRMED', 'SUMMARY:Team meeting', 'TRANSP:OPAQUE',
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

/** The iCalendar a guest's Outlook (Exchange) sends back: Windows zone names, upper-case MAILTO:. */
export function outlookReplyIcs(r: ReplyFields): string {
  return [
    'BEGIN:VCALENDAR', 'METHOD:REPLY', 'PRODID:Microsoft Exchange Server 2010', 'VERSION:2.0',
    'BEGIN:VTIMEZONE', 'TZID:W. Europe Standard Time',
    'BEGIN:STANDARD', 'DTSTART:16010101T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10', 'END:STANDARD',
    'BEGIN:DAYLIGHT', 'DTSTART:16010101T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3', 'END:DAYLIGHT',
    'END:VTIMEZONE',
    'BEGIN:VEVENT', `ORGANIZER;CN=Alice Example:${r.organizer}`,
    `ATTENDEE;PARTSTAT=${r.partstat};CN=Carol:${r.attendee.replace(/^mailto:/i, 'MAILTO:')}`,
    'COMMENT;LANGUAGE=en-US:\\n', `SUMMARY;LANGUAGE=en-US:${r.partstat === 'DECLINED' ? 'Declined' : 'Accepted'}: Team meeting`,
    'DTSTART;TZID=W. Europe Standard Time:20240304T100000', 'DTEND;TZID=W. Europe Standard Time:20240304T103000',
    `UID:${r.uid}`, 'CLASS:PUBLIC', 'PRIORITY:5', 'DTSTAMP:20240302T120000Z', 'TRANSP:OPAQUE', 'STATUS:CONFIRMED',
    `SEQUENCE:${r.sequence ?? 0}`, 'LOCATION;LANGUAGE=en-US:Room 1', `X-MICROSOFT-CDO-APPT-SEQUENCE:${r.sequence ?? 0}`,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

export function gmailReply(from: string, to: string, ics: string): SendMailOptions {
  return {
    from, to, subject: 'Accepted: Team meeting @ Mon 4 Mar 2024 10am - 10:30am (CET)',
    text: 'Carol has accepted this invitation.', html: '<p>Carol has accepted this invitation.</p>',
    icalEvent: { method: 'REPLY', content: ics },
  };
}

export function outlookReply(from: string, to: string, ics: string): SendMailOptions {
  return {
    from, to, subject: 'Declined: Team meeting',
    text: '\r\n', html: '<html><body></body></html>',
    alternatives: [{ contentType: 'text/calendar; charset="utf-8"; method=REPLY', content: Buffer.from(ics, 'utf8'), encoding: 'base64' }],
  };
}

/** Mails it to the listener on loopback, as the guest's mail server would; rejects with the SMTP refusal. */
export async function mailTo(port: number, mail: SendMailOptions): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/** The SMTP reply code a refusal came with. */
export async function refusalCode(sending: Promise<void>): Promise<number | undefined> {
  try {
    await sending;
    return undefined;
  } catch (err) {
    return (err as { responseCode?: number }).responseCode ?? -1;
  }
}
