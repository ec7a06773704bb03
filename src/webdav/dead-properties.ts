import type { DeadProperty, PropertyOwner, Store } from '../store/types.js';
import type { Resource } from './resource.js';

/**
 * Where a resource's dead properties live. Every resource a user owns can hold them:
 * clients store their own settings on principals, homes, collections and members.
 */
export function propertyOwnerOf(r: Resource): PropertyOwner | undefined {
  switch (r.type) {
    case 'principal':
      return { userId: r.owner.id, resource: 'principal' };
    case 'home':
      return { userId: r.owner.id, resource: `home/${r.kind.name}` };
    case 'collection':
      return { collectionId: r.collection.id, objectUri: '' };
    case 'object':
      return { collectionId: r.collection.id, objectUri: r.object.uri };
    default:
      return undefined;
  }
}

export async function deadProperties(store: Store, r: Resource): Promise<DeadProperty[]> {
  const owner = propertyOwnerOf(r);
  return owner ? store.getDeadProperties(owner) : [];
}
