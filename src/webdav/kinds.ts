import type { Collection, CollectionFields, StoreSession, StoredObject } from '../store/types.js';
import type { QName } from './xml/names.js';

/** What a protocol layer's PUT validation tells the store about an object. */
export interface ValidatedObject {
  uid: string;
  component: string | null;
  /**
   * The kind's own bookkeeping for the object just stored (e.g. a time index),
   * run inside the write's transaction with the id putObject gave it.
   */
  afterWrite?(tx: StoreSession, collectionId: number, objectId: number): Promise<void>;
}

/**
 * A kind of collection a protocol layer adds. The WebDAV core serves homes, collections
 * and objects of every registered kind the same way and asks the kind only for what differs.
 */
export type ExportAudience = 'owner' | 'public';

export interface CollectionKind {
  /** Stored in collections.kind. */
  name: string;
  /** URL segment of the homes: /dav/{homeSegment}/{user}/. */
  homeSegment: string;
  /** The resourcetype element that marks a collection of this kind (besides DAV:collection). */
  resourceType: QName;
  /** Namespace of the protocol's preconditions (no-uid-conflict, max-resource-size, …). */
  preconditionNs: string;
  objectContentType: string;
  objectExtension: string;
  /** Created for every user that has none; clients expect at least one. */
  defaultCollection: { uri: string; fields: CollectionFields };
  /** Validates a PUT body for this collection; throws DavError with the protocol's precondition. */
  validateObject(data: Buffer, collection: Collection, contentType: string | undefined): ValidatedObject;
  /**
   * For RFC 5995 add-member: gives a body without a UID one, so it can be stored.
   * Returns the body unchanged when it already has a UID.
   */
  ensureUid?(data: Buffer): Buffer;
  /**
   * GET on a collection: the whole collection as one document. For the 'public' audience
   * (anyone holding a read-only link) the kind leaves out what its data marks private.
   */
  exportCollection?(collection: Collection, objects: AsyncIterable<StoredObject[]>, audience?: ExportAudience): { contentType: string; chunks: AsyncIterable<string | Buffer> };
  /** Fixed collections every home has (e.g. the scheduling inbox/outbox). */
  specialCollections?: { uri: string; resourceType: QName }[];
  /**
   * Set on a kind whose one collection per home is a special collection of another kind
   * sharing its homeSegment (the scheduling inbox): stored as a collection of this kind
   * at this uri, served there, and neither deleted nor moved by clients.
   */
  specialUri?: string;
}
