// RFC 6638 §5 free-busy lookup: POST of an iTIP VFREEBUSY REQUEST to the sender's
// scheduling outbox, answered with a schedule-response holding one response per
// ATTENDEE. Apple Calendar and Thunderbird also send the Originator and Recipient
// headers of the older drafts; the body alone decides.

import ICAL from 'ical.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import { CalendarDataError, parseVcalendar } from '../ical/calendar-object.js';
import { ExpansionLimitError, type ExpansionBudget } from '../ical/expansion-budget.js';
import { readerFor } from '../ical/reader.js';
import { findInvalidValue } from '../ical/validate-values.js';
import type { User } from '../store/types.js';
import { decodeText } from '../text/decode.js';
import type { MediaPostDef } from '../webdav/dav.js';
import { DavError } from '../webdav/errors.js';
import { hrefEl } from '../webdav/multistatus.js';
import { hrefToPath } from '../webdav/paths.js';
import type { DavRequest } from '../webdav/request.js';
import type { Resource } from '../webdav/resource.js';
import { dav, qname } from '../webdav/xml/names.js';
import { el, textEl, xmlDocument, type Xml } from '../webdav/xml/write.js';
import { findLocalUser, isAddressOf, mailtoAddress } from './addresses.js';
import { busyTime, freeBusyBudget } from './freebusy.js';
import { renderFreeBusy } from './freebusy-ical.js';
import { busySourcesOf } from './freebusy-sources.js';

const C = (local: string) => qname(CALDAV_NS, local);

/** Recipients answered per request; those past it get 5.1 (CalDAVTester schedulepost.xml). */
export const MAX_FREEBUSY_RECIPIENTS = 100;

type SpecialResource = Extract<Resource, { type: 'special' }>;

export const isOutbox = (r: Resource): r is SpecialResource => r.type === 'special' && r.resourceType === C('schedule-outbox');

/** A request the outbox cannot take: 400 with CALDAV:valid-scheduling-message. */
const invalidMessage = (message: string) => new DavError(400, message, C('valid-scheduling-message'));

/** What a VFREEBUSY REQUEST asks: about whom, over which range. */
interface FreeBusyRequest {
  uid: string | null;
  start: number;
  end: number;
  organizer: ICAL.Property;
  attendees: ICAL.Property[];
  maskUid: string | undefined;
}

/**
 * Reads and checks the iTIP message: 400 when it is no iCalendar or lacks METHOD,
 * ORGANIZER, ATTENDEE, DTSTART or DTEND; 501 for any iTIP but a VFREEBUSY REQUEST
 * (implicit scheduling sends invitations: clients need not POST them); 403 when the
 * ORGANIZER is not the sender.
 */
function readRequest(text: string, sender: User): FreeBusyRequest {
  let vcalendar: ICAL.Component;
  try {
    vcalendar = parseVcalendar(text);
  } catch (e) {
    if (e instanceof CalendarDataError) throw new DavError(400, e.message, C('valid-calendar-data'));
    throw e;
  }
  const problem = findInvalidValue(vcalendar.jCal);
  if (problem) throw new DavError(400, problem, C('valid-calendar-data'));
  const method = vcalendar.getFirstPropertyValue('method');
  if (method === null) throw invalidMessage('The scheduling message has no METHOD');
  const comps = vcalendar.getAllSubcomponents().filter((c) => c.name !== 'vtimezone' && !c.name.startsWith('x-'));
  const types = [...new Set(comps.map((c) => c.name.toUpperCase()))];
  if (String(method).toUpperCase() !== 'REQUEST' || types.length !== 1 || types[0] !== 'VFREEBUSY') {
    throw new DavError(501, `The outbox takes only free-busy requests (METHOD:REQUEST with a VFREEBUSY), not METHOD:${String(method)} with ${types.join(', ') || 'no component'}`);
  }
  if (comps.length !== 1) throw invalidMessage('A free-busy request holds one VFREEBUSY');
  const fb = comps[0]!;
  const reader = readerFor(vcalendar);
  const start = reader.instant(fb, 'dtstart');
  const end = reader.instant(fb, 'dtend');
  if (!start || !end) throw invalidMessage('The VFREEBUSY needs DTSTART and DTEND');
  if (end.epoch <= start.epoch) throw invalidMessage('The VFREEBUSY ends before it starts');
  const organizer = fb.getFirstProperty('organizer');
  if (!organizer) throw invalidMessage('The VFREEBUSY has no ORGANIZER');
  const attendees = fb.getAllProperties('attendee');
  if (attendees.length === 0) throw invalidMessage('The VFREEBUSY has no ATTENDEE');
  if (!isAddressOf(sender, String(organizer.getFirstValue() ?? ''))) {
    throw new DavError(403, 'The ORGANIZER is not one of your calendar user addresses', C('organizer-allowed'));
  }
  const uid = fb.getFirstPropertyValue('uid');
  const mask = fb.getFirstPropertyValue('x-calendarserver-mask-uid');
  return {
    uid: uid === null ? null : String(uid),
    start: start.epoch, end: end.epoch, organizer, attendees: distinct(attendees),
    maskUid: mask === null ? undefined : String(mask),
  };
}

/** What two spellings of one calendar user address share (see sameAddress). */
function addressKey(address: string): string {
  const email = mailtoAddress(address);
  return email !== undefined ? `mailto:${email.toLowerCase()}` : hrefToPath(address).replace(/\/?$/, '/');
}

/** One ATTENDEE per calendar user: a repeated address is answered once. */
function distinct(attendees: ICAL.Property[]): ICAL.Property[] {
  const seen = new Set<string>();
  return attendees.filter((a) => {
    const key = addressKey(String(a.getFirstValue() ?? ''));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One C:response of the schedule-response (RFC 6638 §10.2). */
function recipientResponse(address: string, status: string, content: { calendarData?: string; error?: string; description?: string }): Xml {
  return el(C('response'),
    el(C('recipient'), hrefEl(address)) +
    textEl(C('request-status'), status) +
    (content.calendarData !== undefined ? textEl(C('calendar-data'), content.calendarData) : '') +
    (content.error ? el(dav('error'), el(C(content.error))) : '') +
    (content.description ? textEl(dav('responsedescription'), content.description) : ''));
}

/** Davenport has no sharing yet: every signed-in local user may see every local user's busy time (never the events). */
const EVERYONE_SEES_FREE_BUSY = true;

/** Whether `asker` may see `recipient`'s busy time; a refusal answers 3.8. */
function maySeeFreeBusy(asker: User, recipient: User): boolean {
  return asker.id === recipient.id || EVERYONE_SEES_FREE_BUSY;
}

async function answerRecipient(req: DavRequest, request: FreeBusyRequest, attendee: ICAL.Property, budget: ExpansionBudget): Promise<Xml> {
  const address = String(attendee.getFirstValue() ?? '');
  const recipient = await findLocalUser(req.store, address);
  if (!recipient) return recipientResponse(address, '3.7;Invalid calendar user', { error: 'recipient-exists' });
  if (!maySeeFreeBusy(req.user, recipient)) return recipientResponse(address, '3.8;No authority', { error: 'recipient-permissions' });
  const sources = await busySourcesOf(req.context, recipient);
  try {
    const periods = await busyTime(req.store, { ...sources, owner: { ...sources.owner, maskUid: request.maskUid } }, request.start, request.end, budget);
    const calendarData = renderFreeBusy({
      start: request.start, end: request.end, periods,
      reply: { uid: request.uid, organizer: request.organizer, attendee },
    });
    return recipientResponse(address, '2.0;Success', { calendarData });
  } catch (e) {
    if (e instanceof ExpansionLimitError) return recipientResponse(address, '5.1;Service unavailable', { description: `Free-busy time not computed: ${e.message}` });
    throw e;
  }
}

/** POST text/calendar to the outbox. The outbox resolves only for its owner: the sender is the signed-in user. */
export const outboxPost: MediaPostDef<SpecialResource> = {
  mediaTypes: ['text/calendar'],
  appliesTo: isOutbox,
  async handle(req) {
    const request = readRequest(decodeText(await req.readBody()), req.user);
    const budget = freeBusyBudget();
    let responses = '';
    for (const [i, attendee] of request.attendees.entries()) {
      responses += i < MAX_FREEBUSY_RECIPIENTS
        ? await answerRecipient(req, request, attendee, budget)
        : recipientResponse(String(attendee.getFirstValue() ?? ''), '5.1;Service unavailable', {
          description: `A free-busy request is answered for at most ${MAX_FREEBUSY_RECIPIENTS} recipients`,
        });
    }
    req.respond(200, xmlDocument(C('schedule-response'), responses), 'application/xml; charset=utf-8');
  },
};
