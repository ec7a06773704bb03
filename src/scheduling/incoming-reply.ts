import type { Dav } from '../webdav/dav.js';
import { findLocalUser, sameAddress } from './addresses.js';
import { addressOf, findAttendee, organizerOf, parseCalendar, scheduledComponents } from './itip.js';
import { findByUid, mergeReply, writeCopy } from './local-delivery.js';

// What comes back from outside (iMIP in, imip-in.ts): replies of attendees who are not
// local users, and the final fate of mail that could not be delivered.

/**
 * Applies a REPLY that `sender` (mailto:) mailed in: merged into the organizer's copy
 * (PARTSTAT, per instance) and put into the organizer's inbox, in one transaction. A
 * reply whose single ATTENDEE is not the sender, or that matches no event of a local
 * organizer it names an attendee of, changes nothing.
 */
export async function applyOutsideReply(dav: Dav, reply: string, sender: string): Promise<{ applied: boolean; reason?: string }> {
  let vcalendar;
  try {
    vcalendar = parseCalendar(Buffer.from(reply, 'utf8'));
  } catch (e) {
    return { applied: false, reason: `not iCalendar: ${(e as Error).message}` };
  }
  if (String(vcalendar.getFirstPropertyValue('method') ?? '').toUpperCase() !== 'REPLY') return { applied: false, reason: 'not a METHOD:REPLY' };
  const components = scheduledComponents(vcalendar);
  if (components.length === 0) return { applied: false, reason: 'no component' };
  const attendees = new Set(components.flatMap((c) => c.getAllProperties('attendee').map((p) => addressOf(p).toLowerCase())));
  if (attendees.size !== 1) return { applied: false, reason: 'a REPLY names exactly one ATTENDEE' };
  const attendee = addressOf(components[0]!.getFirstProperty('attendee')!);
  if (!sameAddress(attendee, sender)) return { applied: false, reason: `the ATTENDEE ${attendee} is not the sender ${sender}` };
  const organizerProp = organizerOf(vcalendar);
  if (!organizerProp) return { applied: false, reason: 'no ORGANIZER' };
  return dav.store.transaction(async (tx) => {
    const organizer = await findLocalUser(tx, addressOf(organizerProp));
    if (!organizer) return { applied: false, reason: `the ORGANIZER ${addressOf(organizerProp)} is not a local user` };
    return mergeReply(tx, dav, organizer, vcalendar, attendee);
  });
}

/** Sets SCHEDULE-STATUS on one ATTENDEE of the organizer's copy (a queued mail that finally failed); the Schedule-Tag stays. */
export async function recordScheduleStatus(dav: Dav, organizer: string, uid: string, attendee: string, status: string): Promise<void> {
  await dav.store.transaction(async (tx) => {
    const user = await findLocalUser(tx, organizer);
    const found = user && (await findByUid(tx, user, uid));
    if (!user || !found) return;
    const copy = parseCalendar(found.object.data);
    let changed = false;
    for (const comp of scheduledComponents(copy)) {
      const prop = findAttendee(comp, attendee);
      if (prop) {
        prop.setParameter('schedule-status', status);
        changed = true;
      }
    }
    if (changed) await writeCopy(tx, dav, user, found.collection, found.object.uri, copy);
  });
}
