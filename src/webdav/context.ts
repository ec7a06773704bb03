import type { ObjectMeta, Store, StoreSession, User } from '../store/types.js';
import type { CollectionChange } from './changes.js';
import type { CollectionKind } from './kinds.js';
import type { RequestLimits } from './limits.js';
import type { MemberHook } from './member-hooks.js';
import type { PropertyTable } from './properties.js';
import type { CollectionResource, ObjectResource, Resource } from './resource.js';
import type { Target } from './target.js';

/**
 * The server as a request's handlers see it: storage, limits, the registered kinds
 * and properties, and the resource tree. Dispatch and registration stay with Dav.
 */
export interface DavContext {
  readonly store: Store;
  readonly limits: RequestLimits;
  readonly kinds: readonly CollectionKind[];
  readonly properties: PropertyTable;
  /** The DAV header's compliance classes. */
  readonly complianceClasses: readonly string[];
  /** The kinds' hooks around member writes (scheduling). */
  readonly memberHooks: readonly MemberHook[];
  /** The methods that apply to a target, for the Allow header. */
  allowedMethods(target: Target): string[];
  /** Maps a path to a resource, as the signed-in user may see it. */
  resolve(path: string, user: User): Promise<Target>;
  /** Members of a collection-like resource, for Depth: 1. */
  children(r: Resource): AsyncIterable<Resource[]>;
  objectResource(parent: CollectionResource, object: ObjectMeta): ObjectResource;
  /** Tells the change listeners of a write, inside its transaction. */
  changed(tx: StoreSession, change: CollectionChange): Promise<void>;
}
