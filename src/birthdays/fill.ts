import { addressbookKind } from '../carddav/kind.js';
import type { DavContext } from '../webdav/context.js';
import { EventLoopTurn } from '../webdav/event-loop-turn.js';
import { applyPlan, planCard, type BirthdayCalendar, type CardPlan } from './card-events.js';

// Filling a new birthday calendar from every card the user has: a user with thousands
// of cards must not stall other requests. Cards are read a page at a time and planned
// outside any transaction, pausing for waiting work between cards; the events are
// written a batch per short transaction. The calendar exists from the start, so a card
// written meanwhile updates its own events (listener.ts); a batch re-plans any card
// that changed since it was read rather than write stale events over those.

/** Cards per transaction: short enough that other writers barely wait. */
export const FILL_BATCH = 50;

/** Writes the events of the owner's existing cards; stops early if the calendar is deleted meanwhile. */
export async function fillBirthdayCalendar(context: DavContext, calendar: BirthdayCalendar): Promise<void> {
  const turn = new EventLoopTurn();
  const calendarId = calendar.resource.collection.id;
  let batch: CardPlan[] = [];
  /** False once the calendar is gone (turned off while filling). */
  const flush = async (): Promise<boolean> => {
    const plans = batch;
    batch = [];
    if (plans.length === 0) return true;
    return context.store.transaction(async (tx) => {
      if (!(await tx.lockCollection(calendarId))) return false;
      for (const plan of plans) {
        const current = await tx.getObjectMeta(plan.bookId, plan.cardUri);
        const fresh = current?.etag === plan.cardEtag ? plan : planCard(calendar, plan.bookId, plan.cardUri, await tx.getObject(plan.bookId, plan.cardUri));
        await applyPlan(tx, context, calendar, fresh);
      }
      return true;
    });
  };

  const books = await context.store.listCollections(calendar.resource.owner.id, addressbookKind.name);
  for (const book of books) {
    for await (const page of context.store.iterateObjects(book.id)) {
      for (const card of page) {
        await turn.pause();
        const plan = planCard(calendar, book.id, card.uri, card);
        // The calendar started empty: a card without occasions has nothing to write.
        if (plan.events.some((e) => e.event)) batch.push(plan);
        if (batch.length >= FILL_BATCH && !(await flush())) return;
      }
    }
  }
  await flush();
}
