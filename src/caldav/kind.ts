import { CALENDAR_COMPONENTS, CalendarDataError, parseCalendarObject } from '../ical/calendar-object.js';
import { exportCalendar } from '../ical/export.js';
import { objectTimeIndex, storeTimeIndex } from '../ical/time-index.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import { decodeText } from '../text/decode.js';
import { DavError } from '../webdav/errors.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { qname } from '../webdav/xml/names.js';
import type { Collection } from '../store/types.js';

/** The component names a calendar accepts (stored comma-separated; null = all). */
export function componentsOf(collection: Collection): readonly string[] {
  return collection.components ? collection.components.split(',') : CALENDAR_COMPONENTS;
}

export const calendarKind: CollectionKind = {
  name: 'calendar',
  homeSegment: 'calendars',
  resourceType: qname(CALDAV_NS, 'calendar'),
  preconditionNs: CALDAV_NS,
  objectContentType: 'text/calendar; charset=utf-8',
  objectExtension: '.ics',
  defaultCollection: { uri: 'default', fields: { displayname: 'Calendar', components: 'VEVENT,VTODO' } },
  specialCollections: [
    { uri: 'inbox', resourceType: qname(CALDAV_NS, 'schedule-inbox') },
    { uri: 'outbox', resourceType: qname(CALDAV_NS, 'schedule-outbox') },
  ],

  validateObject(data, collection) {
    try {
      const { vcalendar, info } = parseCalendarObject(decodeText(data), componentsOf(collection));
      const { componentType } = info;
      const index = objectTimeIndex(vcalendar, componentType, collection.timezone);
      return {
        uid: info.uid, component: componentType,
        afterWrite: (tx, collectionId, objectId) => storeTimeIndex(tx, collectionId, componentType, objectId, index),
      };
    } catch (e) {
      if (e instanceof CalendarDataError) throw new DavError(403, e.message, qname(CALDAV_NS, e.precondition));
      throw e;
    }
  },

  exportCollection(collection, objects, audience = 'owner') {
    const texts = (async function* () {
      for await (const page of objects) for (const o of page) yield decodeText(o.data);
    })();
    return { contentType: 'text/calendar; charset=utf-8', chunks: exportCalendar(collection.displayname, texts, audience === 'public') };
  },
};
