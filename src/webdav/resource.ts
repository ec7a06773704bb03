import type { Collection, ObjectMeta, User } from '../store/types.js';
import type { CollectionKind } from './kinds.js';

// Every URL the server answers for resolves to one of these.
export type Resource =
  | { type: 'root'; path: string }
  | { type: 'principals'; path: string }
  | { type: 'principal'; path: string; owner: User }
  | { type: 'home'; path: string; owner: User; kind: CollectionKind }
  | { type: 'special'; path: string; owner: User; kind: CollectionKind; resourceType: string }
  | { type: 'collection'; path: string; owner: User; kind: CollectionKind; collection: Collection }
  | { type: 'object'; path: string; owner: User; kind: CollectionKind; collection: Collection; object: ObjectMeta };

export type HomeResource = Extract<Resource, { type: 'home' }>;
export type CollectionResource = Extract<Resource, { type: 'collection' }>;
export type ObjectResource = Extract<Resource, { type: 'object' }>;

export function isCollection(r: Resource): r is CollectionResource {
  return r.type === 'collection';
}

export function isObject(r: Resource): r is ObjectResource {
  return r.type === 'object';
}

/** The owner of a resource, if it belongs to a user. */
export function ownerOf(r: Resource): User | undefined {
  return 'owner' in r ? r.owner : undefined;
}
