// Where a user's busy time comes from (RFC 6638 §5): every calendar whose
// schedule-calendar-transp is opaque, and the availability on the user's inbox.

import type ICAL from 'ical.js';
import { calendarKind } from '../caldav/kind.js';
import type { User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { isAddressOf } from './addresses.js';
import { parseAvailability } from './availability.js';
import type { BusySources } from './freebusy.js';
import { CALENDAR_AVAILABILITY, isTransparent, storedProperty } from './freebusy-properties.js';
import { INBOX_URI, inboxKind } from './inbox.js';

export async function busySourcesOf(context: DavContext, user: User): Promise<BusySources> {
  const { store, limits } = context;
  const calendars = [];
  for (const calendar of await store.listCollections(user.id, calendarKind.name)) {
    const props = await store.getDeadProperties({ collectionId: calendar.id, objectUri: '' });
    if (!isTransparent(props, limits)) calendars.push(calendar);
  }
  return { calendars, availability: await availabilityOf(context, user), owner: { isOwnAddress: (a) => isAddressOf(user, a) } };
}

/** The user's calendar-availability, from the inbox (none while the user has no inbox yet). */
async function availabilityOf(context: DavContext, user: User): Promise<ICAL.Component | undefined> {
  const inbox = await context.store.getCollection(user.id, inboxKind.name, INBOX_URI);
  if (!inbox) return undefined;
  const props = await context.store.getDeadProperties({ collectionId: inbox.id, objectUri: '' });
  const stored = storedProperty(props, CALENDAR_AVAILABILITY, context.limits);
  if (!stored) return undefined;
  try {
    return parseAvailability(stored.text);
  } catch {
    // Checked when it was set: one that fails stricter checks since is ignored, not every lookup failed.
    return undefined;
  }
}
