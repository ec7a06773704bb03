import { CALDAV_NS } from '../davcommon/namespaces.js';
import { reportedData } from '../davcommon/report-data.js';
import { calendarKind } from '../caldav/kind.js';
import type { StoredDataProperty } from '../webdav/propfind-core.js';
import type { Resource } from '../webdav/resource.js';
import { qname } from '../webdav/xml/names.js';
import { escapeXml } from '../webdav/xml/write.js';
import { mayBeScheduling, organizerOf, parseCalendar, scheduleTagOf } from './itip.js';

const SCHEDULE_TAG = qname(CALDAV_NS, 'schedule-tag');

/** CALDAV:schedule-tag (RFC 6638 §9.4): made from the object's data, like calendar-data, so only when asked for by name. */
export const scheduleTagProperty: StoredDataProperty = {
  name: SCHEDULE_TAG,
  appliesTo: (r: Resource) => r.type === 'object' && r.kind === calendarKind,
  get: () => undefined,
  inAllprop: false,
  fromData: (_body, _collection, data) => new Map([[
    SCHEDULE_TAG,
    (r) => {
      const stored = reportedData(data, r);
      if (!stored || !mayBeScheduling(stored)) return undefined;
      const vcalendar = parseCalendar(stored);
      return organizerOf(vcalendar) ? escapeXml(scheduleTagOf(vcalendar)) : undefined;
    },
  ]]),
};
