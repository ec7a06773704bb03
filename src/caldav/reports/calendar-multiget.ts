import { multigetReport } from '../../webdav/multiget.js';
import { NS, qname } from '../../webdav/xml/names.js';
import { calendarDataProperty } from '../calendar-data.js';
import { calendarKind } from '../kind.js';

/** RFC 4791 §7.9 */
export const calendarMultiget = multigetReport(qname(NS.CALDAV, 'calendar-multiget'), calendarDataProperty, calendarKind);
