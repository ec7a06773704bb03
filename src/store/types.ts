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

/** An object returned by a time-range pre-selection, with its index columns. */
export interface IndexedObject extends StoredObject {
  firstStart: number | null;
  lastEnd: number | null;
  exactRange: boolean;
}

export interface ObjectWrite {
  uri: string;
  uid: string;
  etag: string;
  component: string | null;
  data: Buffer;
  firstStart: number | null;
  lastEnd: number | null;
  exactRange: boolean;
}

export interface Change {
  uri: string;
  deleted: boolean;
  synctoken: number;
}

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

  listObjects(collectionId: number): ObjectMeta[];
  getObject(collectionId: number, uri: string): StoredObject | undefined;
  getObjectMeta(collectionId: number, uri: string): ObjectMeta | undefined;
  /** Every object of the collection with its data, in uri order (exports, full queries). */
  iterateObjects(collectionId: number): IterableIterator<StoredObject>;
  findUriByUid(collectionId: number, uid: string): string | undefined;
  /**
   * Objects of one component whose indexed range may overlap [start, end) (null = open);
   * the caller confirms each candidate against the data.
   */
  objectsInRange(collectionId: number, component: string | null, start: number | null, end: number | null): IndexedObject[];
  /** Inserts or replaces; bumps the sync token and logs the change. Returns the new token. */
  putObject(collectionId: number, object: ObjectWrite): number;
  /** Deletes; bumps the sync token and logs the change. Returns the new token. */
  deleteObject(collectionId: number, uri: string): number;

  /** Changes after token `since`, oldest first. */
  changesSince(collectionId: number, since: number): Change[];

  getDeadProperties(collectionId: number, objectUri: string): DeadProperty[];
  setDeadProperty(collectionId: number, objectUri: string, prop: DeadProperty): void;
  removeDeadProperty(collectionId: number, objectUri: string, namespace: string, name: string): void;
}
