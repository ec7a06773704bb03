import { registerFreeBusy } from './freebusy-register.js';
import { calendarDataProperty } from '../caldav/calendar-data.js';
import { CALDAV_NS } from '../davcommon/namespaces.js';
import { multigetReport } from '../davcommon/multiget.js';
import type { Dav } from '../webdav/dav.js';
import { qname } from '../webdav/xml/names.js';
import { defaultCalendarProperty, followDefaultCalendar } from './default-calendar.js';
import { schedulingHook } from './implicit.js';
import { inboxKind } from './inbox.js';
import type { OutsideDelivery } from './outside-delivery.js';
import { scheduleTagProperty } from './schedule-tag.js';

/**
 * RFC 6638 scheduling on top of CalDAV: the inbox, implicit scheduling of calendar
 * object writes between local users (and through `outside` to everyone else),
 * Schedule-Tag and schedule-default-calendar-URL. Registered after CalDAV.
 */
export function registerScheduling(dav: Dav, options: { outside: OutsideDelivery }): void {
  dav.addKind(inboxKind);
  // Thunderbird reads the inbox's messages by calendar-multiget.
  dav.addReport(multigetReport(qname(CALDAV_NS, 'calendar-multiget'), calendarDataProperty, inboxKind));
  dav.addMemberHook(schedulingHook(options.outside));
  dav.properties.define(scheduleTagProperty);
  dav.properties.guard(defaultCalendarProperty());
  dav.addChangeListener(followDefaultCalendar(dav));
  registerFreeBusy(dav);
  // Only now that the server schedules (RFC 6638 §2; Thunderbird then leaves it to the server).
  dav.complianceClasses.push('calendar-auto-schedule', 'calendar-schedule');
}
