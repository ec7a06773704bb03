import type { Dav } from '../webdav/dav.js';
import { calendarKind } from './kind.js';
import { mkcalendar } from './mkcalendar.js';
import { defineCalendarProperties } from './properties.js';
import { calendarMultiget } from './reports/calendar-multiget.js';
import { calendarQuery } from './reports/calendar-query.js';

/** CalDAV (RFC 4791) on top of the WebDAV core. */
export function registerCalDav(dav: Dav): void {
  dav.addKind(calendarKind);
  dav.complianceClasses.push('calendar-access');
  dav.addMethod(mkcalendar);
  defineCalendarProperties(dav);
  dav.addReport(calendarMultiget);
  dav.addReport(calendarQuery);
}
