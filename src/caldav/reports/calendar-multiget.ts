import { multigetReport } from '../../davcommon/multiget.js';
import { CALDAV_NS } from '../../davcommon/namespaces.js';
import { qname } from '../../webdav/xml/names.js';
import { calendarDataProperty } from '../calendar-data.js';
import { calendarKind } from '../kind.js';

/** RFC 4791 §7.9 */
export const calendarMultiget = multigetReport(qname(CALDAV_NS, 'calendar-multiget'), calendarDataProperty, calendarKind);
