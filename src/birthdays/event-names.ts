import { createHash } from 'node:crypto';
import type { OccasionKind } from './occasions.js';

// An occasion's event is named after its card: the address book's id and the card's
// URI, so regenerating it finds the same href and UID, and an address book's events
// are the ones whose names start with its id (removed with it).

/** The common start of the names of an address book's events. */
export function bookPrefix(bookId: number): string {
  return `${bookId}-`;
}

function cardKey(bookId: number, cardUri: string): string {
  return bookPrefix(bookId) + createHash('sha256').update(cardUri).digest('hex').slice(0, 32);
}

export function eventUri(bookId: number, cardUri: string, kind: OccasionKind): string {
  return `${cardKey(bookId, cardUri)}-${kind}.ics`;
}

export function eventUid(bookId: number, cardUri: string, kind: OccasionKind): string {
  return `${cardKey(bookId, cardUri)}-${kind}@birthdays.davenport`;
}
