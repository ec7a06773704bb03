import { renderCalendarData } from '../ical/calendar-data.js';
import { parseStored } from '../ical/calendar-object.js';
import { decodeText } from '../ical/decode.js';
import type { CalendarDataRequest } from '../ical/types.js';
import type { ReportData, ReportProperties } from '../webdav/propfind-core.js';
import type { DavRequest } from '../webdav/request.js';
import type { CollectionResource } from '../webdav/resource.js';
import { dav, NS, qname } from '../webdav/xml/names.js';
import { child, type XmlElement } from '../webdav/xml/parse.js';
import { escapeXml } from '../webdav/xml/write.js';
import { parseCalendarDataRequest } from './query-xml.js';

const CALENDAR_DATA = qname(NS.CALDAV, 'calendar-data');

function isPlain(r: CalendarDataRequest): boolean {
  return !r.comp && !r.expand && !r.limitRecurrenceSet && !r.limitFreebusySet;
}

/**
 * The calendar-data report property: the stored text, or the part of it the request
 * selects. `loaded` holds data a report already read, so it is not read twice.
 */
export function calendarDataProperty(
  req: DavRequest,
  body: XmlElement,
  collection: CollectionResource,
  { loaded, raw }: ReportData,
): ReportProperties {
  const element = child(child(body, dav('prop')) ?? body, CALENDAR_DATA);
  if (!element) return new Map();
  const request = parseCalendarDataRequest(element);
  const floatingTz = collection.collection.timezone ?? undefined;
  return new Map([[
    CALENDAR_DATA,
    (r) => {
      if (r.type !== 'object') return undefined;
      const data = loaded.get(r.object.uri) ?? req.store.getObject(r.collection.id, r.object.uri)?.data;
      if (!data) return undefined;
      const plain = isPlain(request);
      const spliced = plain ? raw.text(data) : undefined;
      if (spliced !== undefined) return spliced;
      const text = decodeText(data);
      return escapeXml(plain ? text : renderCalendarData(parseStored(text), request, floatingTz));
    },
  ]]);
}
