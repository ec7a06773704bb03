import { validateTimezoneProperty } from '../ical/vtimezone-property.js';
import { APPLE_ICAL_NS, CALDAV_NS } from '../davcommon/namespaces.js';
import { queryCapabilityProperties } from '../davcommon/query-capabilities.js';
import type { Dav } from '../webdav/dav.js';
import type { StoredDataProperty } from '../webdav/propfind-core.js';
import { DavError } from '../webdav/errors.js';
import { collectionTextProperty, textValue } from '../webdav/live-properties.js';
import { hrefEl } from '../webdav/multistatus.js';
import { collectionPath, homePath } from '../webdav/paths.js';
import type { Resource } from '../webdav/resource.js';
import { dav, qname } from '../webdav/xml/names.js';
import { el, escapeXml } from '../webdav/xml/write.js';
import { CALENDAR_COMPONENTS } from '../ical/calendar-object.js';
import { calendarDataProperty } from './calendar-data.js';
import { calendarKind, componentsOf } from './kind.js';

const C = (local: string) => qname(CALDAV_NS, local);
const APPLE = (local: string) => qname(APPLE_ICAL_NS, local);

const isCalendar = (r: Resource) => r.type === 'collection' && r.kind === calendarKind;
/** iCalendar members: calendar objects, and the scheduling messages of the inbox (a kind of its own). */
const isCalendarObject = (r: Resource) => r.type === 'object' && r.kind.objectContentType === calendarKind.objectContentType;
const isPrincipal = (r: Resource) => r.type === 'principal';
const calendar = (r: Resource) => (r.type === 'collection' ? r.collection : undefined);

function principalHref(r: Resource, build: (username: string) => string): string | undefined {
  return r.type === 'principal' ? hrefEl(build(r.owner.username)) : undefined;
}

/** The components named in a supported-calendar-component-set, validated. */
function parseComponentSet(value: { children: { name: string; attrs: Record<string, string> }[] }): string {
  const names = value.children.filter((c) => c.name === C('comp')).map((c) => (c.attrs.name ?? '').toUpperCase());
  const bad = names.find((n) => !CALENDAR_COMPONENTS.includes(n));
  if (names.length === 0 || bad !== undefined) {
    throw new DavError(403, `Unsupported calendar component ${bad ?? '(none given)'}`, C('supported-calendar-component'));
  }
  return [...new Set(names)].join(',');
}

const calendarData: StoredDataProperty = {
  name: C('calendar-data'),
  appliesTo: isCalendarObject,
  get: () => undefined,
  fromData: calendarDataProperty,
  // Only when asked for by name: allprop would read every member's data.
  inAllprop: false,
};

export function defineCalendarProperties(d: Dav): void {
  d.properties.define(
    {
      name: C('calendar-home-set'),
      appliesTo: isPrincipal,
      get: (r) => principalHref(r, (u) => homePath(calendarKind.homeSegment, u)),
    },
    {
      name: C('calendar-user-address-set'),
      appliesTo: isPrincipal,
      get(r) {
        if (r.type !== 'principal') return undefined;
        const email = r.owner.email ? hrefEl(`mailto:${r.owner.email}`) : '';
        return email + hrefEl(r.path);
      },
    },
    {
      name: C('schedule-inbox-URL'),
      appliesTo: isPrincipal,
      get: (r) => principalHref(r, (u) => collectionPath(calendarKind.homeSegment, u, 'inbox')),
    },
    {
      name: C('schedule-outbox-URL'),
      appliesTo: isPrincipal,
      get: (r) => principalHref(r, (u) => collectionPath(calendarKind.homeSegment, u, 'outbox')),
    },
    {
      name: C('calendar-user-type'),
      appliesTo: isPrincipal,
      get: () => 'INDIVIDUAL',
    },
    collectionTextProperty(C('calendar-description'), 'description', isCalendar),
    {
      name: C('calendar-timezone'),
      appliesTo: isCalendar,
      get: (r) => {
        const tz = calendar(r)?.timezone;
        return tz == null ? undefined : escapeXml(tz);
      },
      set(v) {
        // Kept verbatim (not trimmed): clients compare it with what they set.
        const text = textValue(v) === null ? null : v.text;
        if (text === null) return { timezone: null };
        const problem = validateTimezoneProperty(text);
        if (problem) throw new DavError(403, `calendar-timezone: ${problem}`, C('valid-calendar-data'));
        return { timezone: text };
      },
      remove: () => ({ timezone: null }),
    },
    {
      name: C('supported-calendar-component-set'),
      appliesTo: isCalendar,
      get: (r) => {
        const c = calendar(r);
        return c ? componentsOf(c).map((n) => el(C('comp'), '', { name: n })).join('') : undefined;
      },
      set(v, phase) {
        if (phase !== 'create') {
          throw new DavError(403, 'supported-calendar-component-set can only be chosen when the calendar is created', dav('cannot-modify-protected-property'));
        }
        return { components: parseComponentSet(v) };
      },
    },
    {
      name: C('supported-calendar-data'),
      appliesTo: isCalendar,
      get: () => el(C('calendar-data'), '', { 'content-type': 'text/calendar', version: '2.0' }),
    },
    ...queryCapabilityProperties(d.limits, CALDAV_NS, isCalendar),
    calendarData,
    collectionTextProperty(APPLE('calendar-color'), 'color', isCalendar),
    collectionTextProperty(APPLE('calendar-order'), 'sortOrder', isCalendar, (text) => {
      if (!/^-?\d+$/.test(text)) throw new DavError(409, 'calendar-order must be an integer');
    }),
  );
}
