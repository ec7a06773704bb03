import type { Collection, StoreSession } from '../store/types.js';

/**
 * A write that changed a collection (a member stored or deleted, the collection created
 * or deleted), told to listeners inside the write's transaction: whatever they record
 * (a notification job) commits or rolls back with the write. Listeners must only
 * record, never deliver: delivery runs later, off the request.
 */
export interface CollectionChange {
  collection: Collection;
  /** What changed: a member, or the collection itself. */
  what: 'member' | 'collection';
  /**
   * For 'member': the members written or deleted (listeners that derive data from
   * members re-read these in the transaction to see which).
   */
  members?: readonly string[];
  /** For 'collection': the collection is being deleted (listeners run just before it goes). */
  deleting?: boolean;
  /** The request that made it (its headers may ask to spare some subscribers). */
  origin?: { header(name: string): string | undefined };
}

export type ChangeListener = (tx: StoreSession, change: CollectionChange) => Promise<void>;
