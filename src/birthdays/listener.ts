import { addressbookKind } from '../carddav/kind.js';
import type { ChangeListener } from '../webdav/changes.js';
import type { DavContext } from '../webdav/context.js';
import { birthdayCalendarOf, findBirthdayCalendar } from './birthday-calendar.js';
import { removeBook, syncCard } from './card-events.js';

/**
 * Keeps the birthday calendar current with the address books, whatever wrote them
 * (PUT, DELETE, COPY, MOVE, import, the JSON API): inside the write's transaction, a
 * card's events follow the card and an address book's go with it. The calendar's own
 * writes tell this listener too, as calendar changes, which it passes over.
 */
export function keepBirthdaysCurrent(context: DavContext): ChangeListener {
  return async (tx, change) => {
    const book = change.collection;
    if (book.kind !== addressbookKind.name) return;
    const members = change.what === 'member' ? change.members ?? [] : [];
    if (!change.deleting && members.length === 0) return;
    const found = await findBirthdayCalendar(tx, book.ownerId);
    const owner = found && (await tx.getUserById(book.ownerId));
    if (!found || !owner) return;
    const calendar = birthdayCalendarOf(found, owner);
    if (change.deleting) {
      // The address book first, as a write of one of its cards locks them, so the two never wait on each other.
      await tx.lockCollection(book.id);
      await removeBook(tx, context, calendar, book.id);
    }
    for (const uri of members) await syncCard(tx, context, calendar, book.id, uri);
  };
}
