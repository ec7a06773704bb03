import type ICAL from 'ical.js';
import { calendarKind } from '../caldav/kind.js';
import type { StoredObject, StoreSession } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { etagOf } from '../webdav/etag.js';
import type { ValidatedObject } from '../webdav/kinds.js';
import { deleteMember, deleteMembers, writeMember } from '../webdav/object-write.js';
import type { CollectionResource } from '../webdav/resource.js';
import { occasionEvent } from './birthday-event.js';
import { bookPrefix, eventUid, eventUri } from './event-names.js';
import { OCCASION_KINDS, occasionsOf } from './occasions.js';

// The events one card gives the birthday calendar: planned from the card's data (the
// costly part: reading the card, building and validating the events), then applied in
// a transaction, which writes only what differs from what is stored, so an edit that
// leaves the dates and name alone moves no ETag and no sync token.

/** The user's birthday calendar, as its events are written. */
export interface BirthdayCalendar {
  resource: CollectionResource;
  /** Every event's DTSTAMP (the calendar's creation): the same card gives the same bytes. */
  stamp: ICAL.Time;
}

/** What a card's events should be: for each occasion kind, the event or nothing. */
export interface CardPlan {
  bookId: number;
  cardUri: string;
  /** The version of the card planned from; undefined when it is gone. */
  cardEtag: string | undefined;
  events: { uri: string; event?: { data: Buffer; validated: ValidatedObject } }[];
}

export function planCard(calendar: BirthdayCalendar, bookId: number, cardUri: string, card: StoredObject | undefined): CardPlan {
  const { name, occasions } = card ? occasionsOf(card.data) : { name: '', occasions: [] };
  const events = OCCASION_KINDS.map((kind) => {
    const uri = eventUri(bookId, cardUri, kind);
    const occasion = occasions.find((o) => o.kind === kind);
    const text = occasion && occasionEvent(occasion, name, eventUid(bookId, cardUri, kind), calendar.stamp);
    if (!text) return { uri };
    const data = Buffer.from(text, 'utf8');
    return { uri, event: { data, validated: calendarKind.validateObject(data, calendar.resource.collection, 'text/calendar') } };
  });
  return { bookId, cardUri, cardEtag: card?.etag, events };
}

/** Makes the stored events what the plan says, in the caller's transaction. */
export async function applyPlan(tx: StoreSession, context: DavContext, calendar: BirthdayCalendar, plan: CardPlan): Promise<void> {
  const { resource } = calendar;
  // Locked before what is stored is read, so a fill writing the same events (fill.ts) cannot slip in between.
  if (!(await tx.lockCollection(resource.collection.id))) return;
  for (const { uri, event } of plan.events) {
    const stored = await tx.getObjectMeta(resource.collection.id, uri);
    if (!event) {
      if (stored) await deleteMember(tx, context, resource, uri);
    } else if (stored?.etag !== etagOf(event.data)) {
      await writeMember(tx, context, resource, uri, event.data, event.validated);
    }
  }
}

/** Brings a card's events up to date with the card as this transaction sees it (written, changed or deleted). */
export async function syncCard(tx: StoreSession, context: DavContext, calendar: BirthdayCalendar, bookId: number, cardUri: string): Promise<void> {
  const card = await tx.getObject(bookId, cardUri);
  await applyPlan(tx, context, calendar, planCard(calendar, bookId, cardUri, card));
}

/** Deletes the events of every card of an address book (which is being deleted). */
export async function removeBook(tx: StoreSession, context: DavContext, calendar: BirthdayCalendar, bookId: number): Promise<void> {
  const prefix = bookPrefix(bookId);
  const ours: string[] = [];
  // Locked before it is listed: a fill writing meanwhile (fill.ts) waits, then finds the cards gone.
  if (!(await tx.lockCollection(calendar.resource.collection.id))) return;
  listing: for await (const page of tx.listObjects(calendar.resource.collection.id, prefix)) {
    for (const o of page) {
      if (!o.uri.startsWith(prefix)) break listing;
      ours.push(o.uri);
    }
  }
  await deleteMembers(tx, context, calendar.resource, ours);
}
