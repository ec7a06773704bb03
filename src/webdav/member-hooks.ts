import type { StoredObject, StoreSession } from '../store/types.js';
import type { DavContext } from './context.js';
import type { CollectionKind } from './kinds.js';
import type { CollectionResource } from './resource.js';

/**
 * One write of a member (a PUT, an add-member POST, a DELETE) as a kind's hook sees it:
 * inside the write's transaction, with the collection locked and the preconditions checked.
 */
export interface MemberWrite {
  context: DavContext;
  collection: CollectionResource;
  uri: string;
  /** The member it replaces or deletes, with its data; undefined when it is new. */
  current: StoredObject | undefined;
  /** The data to store; undefined for a delete. */
  data: Buffer | undefined;
  /** The request that makes it (its headers). */
  origin?: { header(name: string): string | undefined };
}

export interface MemberWriteOutcome {
  /** What to store instead of the data sent (the kind completed or corrected it). */
  data?: Buffer;
  /** Response headers for the write. */
  headers?: Record<string, string>;
}

/**
 * What a kind does around writes of its members beyond storing them (CalDAV scheduling:
 * RFC 6638 implicit scheduling and Schedule-Tag). Whatever it writes elsewhere commits
 * or rolls back with the write; it throws DavError to refuse the write.
 */
export interface MemberHook {
  kind: CollectionKind;
  /**
   * The name of a lock (StoreSession.lockNamed) the write must take before it locks its
   * collection, given the data written or, for a delete, the data deleted. A hook that
   * goes on to lock other users' collections locks them in no set order; writes taking
   * one such lock first run one at a time instead of deadlocking each other.
   */
  lockFor?(data: Buffer): string | undefined;
  beforeWrite(tx: StoreSession, write: MemberWrite): Promise<MemberWriteOutcome | undefined>;
  /** Response headers for a GET or HEAD of a member. */
  headersFor?(object: StoredObject): Record<string, string> | undefined;
}
