// The narrow interface every storage backend implements. The protocol layers see only
// this, so a PostgreSQL store can come later without touching WebDAV/CalDAV code.

export interface User {
  id: number;
  username: string;
  passwordHash: string;
  displayName: string | null;
  email: string | null;
}

export interface Collection {
  id: number;
  ownerId: number;
  kind: string;
  uri: string;
  displayname: string | null;
  description: string | null;
  color: string | null;
  sortOrder: string | null;
  timezone: string | null;
  /** Comma-separated component names a calendar accepts; null = any. */
  components: string | null;
  synctoken: number;
  createdAt: number;
  modifiedAt: number;
}

/** The columns of a collection a client may change after creation. */
export type CollectionFields = Partial<
  Pick<Collection, 'displayname' | 'description' | 'color' | 'sortOrder' | 'timezone' | 'components'>
>;

export interface ObjectMeta {
  uri: string;
  uid: string;
  etag: string;
  component: string | null;
  size: number;
  modifiedAt: number;
}

export interface StoredObject extends ObjectMeta {
  data: Buffer;
}

/**
 * One interval in which an object can match a time-range, in "half-open event form":
 * a range [a, b) matches iff start < b and (end > a, or end = start and start >= a).
 * Epoch ms UTC; ±Number.MAX_SAFE_INTEGER stand for unbounded.
 */
export interface TimeSpan {
  start: number;
  end: number;
  /** False: the span only pre-selects; a match must be confirmed against the data. */
  exact: boolean;
  /**
   * Placed from floating times in the zone `TimeIndex.floatingZone`: exact only while
   * a query reads floating times in that same zone; otherwise it can be off by up to
   * FLOATING_SLACK_MS either way and only pre-selects.
   */
  floating: boolean;
}

/** How far two placements of the same floating time can differ (UTC−12 … UTC+14). */
export const FLOATING_SLACK_MS = 26 * 3_600_000;

/** The time-range index of one object (calendar objects; other kinds have none). */
export interface TimeIndex {
  spans: TimeSpan[];
  /**
   * The spans hold every instance that can match a range ending before this (epoch
   * ms UTC); null = every instance. Queries reaching past it must confirm the object.
   */
  completeUntil: number | null;
  /** Key of the zone floating spans were placed in (null = UTC). */
  floatingZone: string | null;
}

/** A candidate of a time-range query: `decided` = an exact span matches, so it matches. */
export interface RangeCandidate extends StoredObject {
  decided: boolean;
}

export interface ObjectWrite {
  uri: string;
  uid: string;
  etag: string;
  component: string | null;
  data: Buffer;
  /** Replaces the object's time-range index; absent = the object has none. */
  timeIndex?: TimeIndex;
}

export interface Change {
  uri: string;
  deleted: boolean;
  synctoken: number;
}

/** Whose dead properties: a collection ('' = itself) or member, or a user's principal or home. */
export type PropertyOwner = { collectionId: number; objectUri: string } | { userId: number; resource: string };

export interface DeadProperty {
  namespace: string;
  name: string;
  xml: string;
}

export interface Store {
  /** Runs fn atomically; nested calls join the outer transaction. */
  transaction<T>(fn: () => T): T;
  close(): void;

  countUsers(): number;
  listUsers(): User[];
  getUser(username: string): User | undefined;
  createUser(username: string, passwordHash: string, email: string | null, displayName: string | null): User;
  setPasswordHash(userId: number, passwordHash: string): void;

  listCollections(ownerId: number, kind: string): Collection[];
  getCollection(ownerId: number, kind: string, uri: string): Collection | undefined;
  createCollection(ownerId: number, kind: string, uri: string, fields: CollectionFields): Collection;
  updateCollection(collectionId: number, fields: CollectionFields): void;
  deleteCollection(collectionId: number): void;

  /**
   * The objects of a collection in uri order, read a page at a time as the caller
   * iterates, so listing 100,000 members never holds them all in memory.
   */
  listObjects(collectionId: number): Iterable<ObjectMeta>;
  getObject(collectionId: number, uri: string): StoredObject | undefined;
  /** The named objects that exist, with their data, in one lookup (multiget). */
  getObjects(collectionId: number, uris: string[]): StoredObject[];
  getObjectMeta(collectionId: number, uri: string): ObjectMeta | undefined;
  /** Every object of the collection with its data, in uri order, a page at a time. */
  iterateObjects(collectionId: number): Iterable<StoredObject>;
  findUriByUid(collectionId: number, uid: string): string | undefined;
  /** Every object of one component, with its data (filters without a time-range). */
  objectsOfComponent(collectionId: number, component: string): StoredObject[];
  /**
   * Objects of `component` that may overlap [start, end) (null = unbounded) by their
   * time index, each once: every object with a span matching the range, plus those
   * whose index is incomplete for it. `floatingZone` is the key of the zone the query
   * reads floating times in. Costs in proportion to the result.
   */
  objectsOverlapping(
    collectionId: number, component: string, start: number | null, end: number | null, floatingZone: string | null,
  ): RangeCandidate[];
  /** Inserts or replaces; bumps the sync token and logs the change. Returns the new token. */
  putObject(collectionId: number, object: ObjectWrite): number;
  /** Deletes; bumps the sync token and logs the change. Returns the new token. */
  deleteObject(collectionId: number, uri: string): number;

  /** Changes after token `since`, oldest first. */
  changesSince(collectionId: number, since: number): Change[];

  getDeadProperties(owner: PropertyOwner): DeadProperty[];
  setDeadProperty(owner: PropertyOwner, prop: DeadProperty): void;
  removeDeadProperty(owner: PropertyOwner, namespace: string, name: string): void;
}
