import type { CollectionResource, HomeResource, ObjectResource, Resource } from './resource.js';

/**
 * What a request URL points at: the resource if it exists, and otherwise the parent a
 * method like PUT or MKCOL would create it in.
 */
export interface Target {
  path: string;
  resource: Resource | undefined;
  parent: Resource | undefined;
  /** Last path segment, decoded: the name a new member would get. */
  name: string;
}

// The shapes of target a method accepts, so its handler needs no cast.

/** A target whose resource exists. */
export type ExistingTarget<R extends Resource = Resource> = Target & { resource: R };

/** A member of a collection that PUT writes: the object if there is one, else a new name. */
export type MemberTarget = Target & { resource: ObjectResource | undefined; parent: CollectionResource };

/** A name not yet taken in a home, where MKCOL (or a protocol's own method) makes a collection. */
export type NewCollectionTarget = Target & { resource: undefined; parent: HomeResource };

export function exists(t: Target): t is ExistingTarget {
  return t.resource !== undefined;
}

export function isNewCollectionTarget(t: Target): t is NewCollectionTarget {
  return t.resource === undefined && t.parent?.type === 'home';
}
