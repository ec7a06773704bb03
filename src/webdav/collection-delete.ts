import type { Collection, StoreSession } from '../store/types.js';
import type { CollectionChange } from './changes.js';
import type { DavContext } from './context.js';

/**
 * Deletes a collection with everything in it, in the caller's transaction. The change
 * listeners hear of it first, marked as a deletion, while its rows are still there
 * (their subscriptions, data derived from its members). Every deletion of a collection
 * goes this way: DELETE, a MOVE over it, the web UI, turning a generated one off.
 */
export async function deleteCollection(tx: StoreSession, context: DavContext, collection: Collection, origin?: CollectionChange['origin']): Promise<void> {
  await context.changed(tx, { collection, what: 'collection', deleting: true, origin });
  await tx.deleteCollection(collection.id);
}
