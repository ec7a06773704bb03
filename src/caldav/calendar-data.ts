import { renderCalendarData } from '../ical/calendar-data.js';
import { parseStored } from '../ical/calendar-object.js';
import { ExpansionBudget, ExpansionLimitError } from '../ical/expansion-budget.js';
import type { CalendarDataRequest } from '../ical/types.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import { reportedData } from '../davcommon/report-data.js';
import { decodeText } from '../text/decode.js';
import type { ReportData, ReportProperties } from '../webdav/propfind-core.js';
import type { CollectionResource } from '../webdav/resource.js';
import { DavError } from '../webdav/errors.js';
import { EventLoopTurn } from '../webdav/event-loop-turn.js';
import { dav, qname } from '../webdav/xml/names.js';
import { child, type XmlElement } from '../webdav/xml/parse.js';
import { escapeXml, type Xml } from '../webdav/xml/write.js';
import { parseCalendarDataRequest } from './query-xml.js';

const CALENDAR_DATA = qname(CALDAV_NS, 'calendar-data');

function isPlain(r: CalendarDataRequest): boolean {
  return !r.comp && !r.expand && !r.limitRecurrenceSet && !r.limitFreebusySet;
}

/**
 * The calendar-data report property: the stored text, or the part of it the request
 * selects (reportedData takes what the report or PROPFIND already read).
 *
 * Expansion beyond what one request may spend (ExpansionBudget) is refused with
 * DAV:number-of-matches-within-limits, the postcondition RFC 4791 §7.8 names for a
 * result too large to return, as a 507 response for the request-URI ending the
 * multistatus: the form RFC 6578 §3.6 (and RFC 5323 §5.17 for nresults) give a
 * truncated result, which clients already handle for sync-collection. Neither
 * CALDAV:max-instances (§5.2.8, a PUT precondition) nor a status for the whole
 * request fits: the multistatus may be streaming by then.
 */
export function calendarDataProperty(
  body: XmlElement,
  collection: CollectionResource,
  data: ReportData,
): ReportProperties {
  const element = child(child(body, dav('prop')) ?? body, CALENDAR_DATA);
  if (!element) return new Map();
  const request = parseCalendarDataRequest(element);
  const floatingTz = collection.collection.timezone ?? undefined;
  const turn = new EventLoopTurn();
  const expansion = { budget: new ExpansionBudget(), pause: () => turn.pause() };
  const refused = (e: unknown) => {
    if (e instanceof ExpansionLimitError) throw new DavError(507, e.message, dav('number-of-matches-within-limits'));
    throw e;
  };
  let expanding: Promise<unknown> = Promise.resolve();
  const render = (text: string): Xml | Promise<Xml> => {
    if (!request.expand) return escapeXml(renderCalendarData(parseStored(text), request, floatingTz) as string);
    // One expansion after another: members answered together (a page of a query) would
    // otherwise each take a slice of the event loop in the same turn. Once one is
    // refused, those after it are too, without spending anything.
    const rendered = expanding.then(() => renderCalendarData(parseStored(text), request, floatingTz, expansion)).then(escapeXml, refused);
    expanding = rendered;
    return rendered;
  };
  return new Map([[
    CALENDAR_DATA,
    (r) => {
      const stored = reportedData(data, r);
      if (!stored) return undefined;
      const plain = isPlain(request);
      const spliced = plain ? data.raw.text(stored) : undefined;
      if (spliced !== undefined) return spliced;
      const text = decodeText(stored);
      return plain ? escapeXml(text) : render(text);
    },
  ]]);
}
