import type { SubscriptionScope } from '../store/types.js';
import type { CollectionResource, HomeResource, Resource } from '../webdav/resource.js';

/**
 * The resources that support push (draft §"Service detection"): calendars, address books
 * and their homes, which is where a member changes. Not principals, objects, nor the
 * scheduling inbox/outbox.
 */
export type PushableResource = CollectionResource | HomeResource;

export const isPushable = (r: Resource): r is PushableResource => r.type === 'collection' || r.type === 'home';

/** What a registration on it watches. */
export function scopeOf(r: PushableResource): SubscriptionScope {
  return r.type === 'collection' ? { collectionId: r.collection.id } : { homeKind: r.kind.name };
}
