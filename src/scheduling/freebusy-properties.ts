// The two settings free-busy lookups read, both kept as checked dead properties
// (PropertyTable.guard): a calendar's schedule-calendar-transp (RFC 6638 §9.1) and the
// inbox's calendar-availability (RFC 7953 §7.2.4).

import { CALDAV_NS } from '../davcommon/namespaces.js';
import { calendarKind } from '../caldav/kind.js';
import type { DeadProperty, StoreSession } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import { propertyOwnerOf } from '../webdav/dead-properties.js';
import { DavError } from '../webdav/errors.js';
import type { GuardedProperty } from '../webdav/properties.js';
import type { Resource } from '../webdav/resource.js';
import { qname, splitQName, type QName } from '../webdav/xml/names.js';
import { parseXml, type XmlElement, type XmlLimits } from '../webdav/xml/parse.js';
import { el, serializeElement } from '../webdav/xml/write.js';
import { AvailabilityError, parseAvailability } from './availability.js';
import { inboxKind } from './inbox.js';

const C = (local: string) => qname(CALDAV_NS, local);

export const SCHEDULE_CALENDAR_TRANSP = C('schedule-calendar-transp');
export const CALENDAR_AVAILABILITY = C('calendar-availability');

const isCalendar = (r: Resource) => r.type === 'collection' && r.kind === calendarKind;
const isInbox = (r: Resource) => r.type === 'collection' && r.kind === inboxKind;

/** Stores a checked value as sent, or removes it. */
async function store(tx: StoreSession, r: Resource, name: QName, value: XmlElement | undefined): Promise<void> {
  const owner = propertyOwnerOf(r);
  if (!owner) throw new DavError(403, 'This resource cannot hold properties');
  const { ns, local } = splitQName(name);
  if (value) await tx.setDeadProperty(owner, { namespace: ns, name: local, xml: serializeElement(value) });
  else await tx.removeDeadProperty(owner, ns, local);
}

/** RFC 6638 §9.1: opaque (the default) or transparent; a transparent calendar adds no busy time. */
const scheduleCalendarTransp: GuardedProperty = {
  name: SCHEDULE_CALENDAR_TRANSP,
  appliesTo: isCalendar,
  unset: el(C('opaque')),
  async write(tx, r, value) {
    if (value) {
      const kinds = value.children.map((c) => c.name);
      if (kinds.length !== 1 || (kinds[0] !== C('opaque') && kinds[0] !== C('transparent'))) {
        throw new DavError(409, 'schedule-calendar-transp holds either opaque or transparent');
      }
    }
    await store(tx, r, SCHEDULE_CALENDAR_TRANSP, value);
  },
};

/** RFC 7953 §7.2.4: a VCALENDAR of VAVAILABILITY components, refused unless usable. */
const calendarAvailability: GuardedProperty = {
  name: CALENDAR_AVAILABILITY,
  appliesTo: isInbox,
  async write(tx, r, value) {
    if (value) {
      try {
        parseAvailability(value.text);
      } catch (e) {
        if (e instanceof AvailabilityError) throw new DavError(403, `calendar-availability: ${e.message}`, C('valid-calendar-data'));
        throw e;
      }
    }
    await store(tx, r, CALENDAR_AVAILABILITY, value);
  },
};

export function defineFreeBusyProperties(d: Dav): void {
  d.properties.guard(scheduleCalendarTransp);
  d.properties.guard(calendarAvailability);
}

/** The stored element of `name` among a resource's dead properties, parsed. */
export function storedProperty(props: readonly DeadProperty[], name: QName, limits: XmlLimits): XmlElement | undefined {
  const stored = props.find((p) => qname(p.namespace, p.name) === name);
  return stored && parseXml(stored.xml, limits);
}

/** Whether a calendar's stored properties make it transparent (absent or anything else: opaque). */
export function isTransparent(props: readonly DeadProperty[], limits: XmlLimits): boolean {
  return storedProperty(props, SCHEDULE_CALENDAR_TRANSP, limits)?.children.some((c) => c.name === C('transparent')) ?? false;
}
