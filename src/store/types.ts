// The narrow, async interfaces every storage engine implements (SQLite: sqlite/,
// PostgreSQL: postgres/). The protocol layers see only these. Nothing here knows HTTP,
// WebDAV or calendars: a collection holds opaque objects, a change log, dead properties,
// and optionally an interval index that a protocol layer fills (the calendar time index).
//
// Costs are stated per method; "one lookup" is one indexed statement.

export interface User {
  id: number;
  username: string;
  passwordHash: string;
  displayName: string | null;
  email: string | null;
  /** May manage other users (CLI, web admin). */
  admin: boolean;
  /** Cannot sign in anywhere; the data stays. */
  disabled: boolean;
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
  /**
   * Null when clients write the members; otherwise the name of the server feature that
   * generates them (the birthday calendar), and to clients the members are read-only.
   */
  generator: string | null;
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

export interface ObjectWrite {
  uri: string;
  uid: string;
  etag: string;
  component: string | null;
  data: Buffer;
}

export interface Change {
  uri: string;
  deleted: boolean;
  synctoken: number;
  /** When it was logged (epoch ms). */
  changedAt: number;
}

/** A password a user made for one program (Basic password, or Bearer on the JSON API). */
export interface AppPassword {
  id: number;
  userId: number;
  label: string;
  /** bcrypt */
  hash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Whose dead properties: a collection ('' = itself) or member, or a user's principal or home. */
export type PropertyOwner = { collectionId: number; objectUri: string } | { userId: number; resource: string };

export interface DeadProperty {
  namespace: string;
  name: string;
  xml: string;
}

/** Users and their credentials. Every method is one lookup or one write. */
export interface UserStore {
  countUsers(): Promise<number>;
  listUsers(): Promise<User[]>;
  getUser(username: string): Promise<User | undefined>;
  createUser(username: string, passwordHash: string, email: string | null, displayName: string | null, admin?: boolean): Promise<User>;
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;
  setUserDisabled(userId: number, disabled: boolean): Promise<void>;
  /** Deletes the user with everything they own (collections, objects, app passwords, …); false when gone already. */
  deleteUser(userId: number): Promise<boolean>;
  getUserById(id: number): Promise<User | undefined>;
  /** The user with this e-mail address, compared case-insensitively (ASCII); undefined if none or several. */
  getUserByEmail(email: string): Promise<User | undefined>;
  /** Undefined when the user already has one with this label. */
  addAppPassword(userId: number, label: string, hash: string): Promise<AppPassword | undefined>;
  /** In label order. */
  listAppPasswords(userId: number): Promise<AppPassword[]>;
  /** False when the user has none with this label. */
  removeAppPassword(userId: number, label: string): Promise<boolean>;
  touchAppPassword(id: number, at: number): Promise<void>;
}

/**
 * Collections, their members and the change log. The sync token is the collection's
 * counter: every object write or delete bumps it and logs one change row with it, in
 * the same transaction, so an incremental sync costs O(changes since the token).
 */
export interface CollectionStore {
  /** One lookup. */
  listCollections(ownerId: number, kind: string): Promise<Collection[]>;
  getCollection(ownerId: number, kind: string, uri: string): Promise<Collection | undefined>;
  getCollectionById(id: number): Promise<Collection | undefined>;
  /** undefined when the home has a collection at `uri` already (also one a concurrent transaction just made). */
  createCollection(ownerId: number, kind: string, uri: string, fields: CollectionFields, generator?: string): Promise<Collection | undefined>;
  updateCollection(collectionId: number, fields: CollectionFields): Promise<void>;
  /** Gives the collection another URI in its home (MOVE); its id, members and tokens stay. */
  renameCollection(collectionId: number, uri: string): Promise<void>;
  /** Deletes the collection with its members, change log, properties and index rows. */
  deleteCollection(collectionId: number): Promise<void>;
  /**
   * Inside a transaction: holds off every other writer of the collection, on any node,
   * until the transaction ends, so checks made after it (ETag preconditions, UID
   * uniqueness) still hold at commit. False when the collection no longer exists.
   */
  lockCollection(collectionId: number): Promise<boolean>;
  /**
   * Inside a transaction: holds the lock of this name, on any node, until the transaction
   * ends; transactions taking it run one at a time (writes that go on to lock collections
   * in no set order take one first).
   */
  lockNamed(name: string): Promise<void>;

  /**
   * The members in uri order, a page (an array of up to a few hundred) at a time, read
   * as the caller iterates: listing 100,000 members never holds them all in memory,
   * and the caller awaits once per page, not per member. Nothing stays open between pages.
   * From `from` on (inclusive), so a paged listing resumes where it stopped.
   */
  listObjects(collectionId: number, from?: string): AsyncIterable<ObjectMeta[]>;
  /** The members with their data, in uri order, a page at a time. */
  iterateObjects(collectionId: number): AsyncIterable<StoredObject[]>;
  /** The members of one component type with their data, a page at a time. */
  objectsOfComponent(collectionId: number, component: string): AsyncIterable<StoredObject[]>;
  /** One lookup each. */
  getObject(collectionId: number, uri: string): Promise<StoredObject | undefined>;
  getObjectMeta(collectionId: number, uri: string): Promise<ObjectMeta | undefined>;
  findUriByUid(collectionId: number, uid: string): Promise<string | undefined>;
  /** The named members that exist, with their data, in one lookup (multiget). */
  getObjects(collectionId: number, uris: string[]): Promise<StoredObject[]>;
  /**
   * Inserts or replaces a member; bumps the sync token and logs the change. Returns the
   * object's id (for index rows) and the new token. Leaves the member's intervals as
   * they were: whoever indexes it replaces them. A UID another member has is refused
   * by the database with an engine's own error, so callers check findUriByUid first,
   * under lockCollection.
   */
  putObject(collectionId: number, object: ObjectWrite): Promise<{ objectId: number; synctoken: number }>;
  /** Deletes a member and its properties; bumps the sync token and logs the change. */
  deleteObject(collectionId: number, uri: string): Promise<number>;
  /**
   * Changes after token `since`, oldest first: one range scan. Undefined when changes
   * after `since` have been pruned (pruneChanges): the token is too old to sync from.
   */
  changesSince(collectionId: number, since: number): Promise<Change[] | undefined>;
  /**
   * Forgets the changes logged before `before` (epoch ms), in every collection; tokens
   * older than the newest one forgotten can no longer be synced from. Returns the rows removed.
   */
  pruneChanges(before: number): Promise<number>;
}

/** Dead properties (RFC 4918 §4.2): one lookup or write each. */
export interface PropertyStore {
  getDeadProperties(owner: PropertyOwner): Promise<DeadProperty[]>;
  setDeadProperty(owner: PropertyOwner, prop: DeadProperty): Promise<void>;
  removeDeadProperty(owner: PropertyOwner, namespace: string, name: string): Promise<void>;
}

/**
 * How sure an interval is: `exact` decides a match; `exactForTag` decides only for a
 * query made with the object's tag (otherwise it may be off by up to the query's
 * slack either way); `candidate` only pre-selects, the caller must confirm.
 */
export type IntervalPrecision = 'exact' | 'exactForTag' | 'candidate';

/**
 * One interval [start, end] on the line of safe integers (±MAX_SAFE_INTEGER stand for
 * unbounded). A query [a, b) matches it iff start < b and (end > a, or end = start and
 * start >= a): half-open, and a zero-length interval is a point.
 */
export interface Interval {
  start: number;
  end: number;
  precision: IntervalPrecision;
}

/** What an object's intervals cover: all that can match a query ending before `completeUntil` (null: all). */
export interface IntervalSet {
  intervals: Interval[];
  completeUntil: number | null;
  /** What `exactForTag` intervals were placed relative to (null: nothing). */
  tag: string | null;
}

export interface IntervalQuery {
  collectionId: number;
  /** Only objects of this component. */
  component: string;
  /** null = unbounded */
  start: number | null;
  end: number | null;
  tag: string | null;
  /** How far an `exactForTag` interval placed under another tag can be off. */
  slack: number;
}

/** A member an interval query found; `decided`: an exact interval matches, so it matches. */
export interface IntervalMatch {
  uri: string;
  decided: boolean;
}

/**
 * Intervals attached to members, found by overlap. A protocol layer fills them after
 * a write (the calendar time index); they are deleted with the member.
 */
export interface IntervalIndex {
  /** Replaces the intervals of one member (by the id putObject returned). */
  replaceIntervals(collectionId: number, component: string, objectId: number, set: IntervalSet): Promise<void>;
  /**
   * Every member with an interval matching the query, plus every member whose set is
   * incomplete for it, each once, in uri order. Costs in proportion to the result; the
   * members' data is not read (getObjects reads it a page at a time).
   */
  overlapping(query: IntervalQuery): Promise<IntervalMatch[]>;
}

/** Server-wide values made once and shared by every node (the VAPID key pair). */
export interface SettingStore {
  getSetting(name: string): Promise<string | undefined>;
  /** Stores `value` unless the setting exists; returns the value that stands (the first node to start wins). */
  initSetting(name: string, value: string): Promise<string>;
}

/** What a subscription watches: one collection, or a user's home of one kind (its collections). */
export type SubscriptionScope = { collectionId: number } | { homeKind: string };

export interface NewSubscription {
  /** Random, unguessable: names it in URLs (a push registration) and ids (a channel's resource). */
  publicId: string;
  userId: number;
  /** 'web-hook' or 'web-push'. */
  transport: string;
  scope: SubscriptionScope;
  /** The client's name for it, unique per user, transport and scope: a channel id, a push-resource URL. */
  name: string;
  /** Where notifications go. */
  address: string;
  /** The transport's own fields (token, keys), opaque to the store. */
  details: string;
  expiresAt: number;
}

export interface Subscription extends NewSubscription {
  id: number;
  createdAt: number;
}

/** Who is told of changes (web-hook channels, WebDAV-Push registrations). One statement each. */
export interface SubscriptionStore {
  /**
   * Inserts it, or updates the one with the same user, transport, scope and name (which
   * keeps its publicId and message numbers); returns what is stored and whether it is new.
   */
  saveSubscription(s: NewSubscription): Promise<{ subscription: Subscription; created: boolean }>;
  getSubscription(publicId: string): Promise<Subscription | undefined>;
  /** A user's subscriptions of one transport with this name, in any scope. */
  findSubscriptions(userId: number, transport: string, name: string): Promise<Subscription[]>;
  /** False when it was gone already. */
  deleteSubscription(id: number): Promise<boolean>;
  /** The unexpired subscriptions to a change in a collection: its own and its owner's home's of its kind. */
  subscriptionsFor(collectionId: number, ownerId: number, kind: string, now: number): Promise<Subscription[]>;
  /** The subscription's next message number: grows with every call, across nodes and restarts. Undefined if it is gone. */
  nextMessageNumber(id: number): Promise<number | undefined>;
  deleteExpiredSubscriptions(now: number): Promise<number>;
}

/** Work to do after a write, by whichever node claims it: a notification to deliver. */
export interface NewJob {
  queue: string;
  /** Opaque to the store. */
  payload: string;
  /** Not claimed before (epoch ms); default now. */
  runAt?: number;
  /** While a job of the queue with this key waits unclaimed, no other is added (bursts coalesce). */
  key?: string;
}

export interface Job {
  id: number;
  queue: string;
  key: string | null;
  payload: string;
  /** Claims so far, this one included; with the id it names this claim. */
  attempts: number;
}

/**
 * A durable queue shared by every node: a claim holds a job for a lease, during which
 * no other claim gets it; it stays until completed, so a node that dies mid-delivery
 * only delays it (a delivery that outlasts its lease may be made twice). Times are
 * epoch ms; leases run on the database's clock where it has one (PostgreSQL), so
 * nodes' clocks need not agree. One indexed statement each unless said otherwise.
 */
export interface JobQueue {
  /** Adds the job with the session's transaction (wakes listeners at commit); false if coalesced. */
  enqueue(job: NewJob): Promise<boolean>;
  /**
   * Claims up to `limit` jobs that are due and unclaimed or whose lease ran out, oldest
   * first, for `leaseMs`: nobody else gets them until it runs out.
   */
  claimJobs(queue: string, limit: number, leaseMs: number): Promise<Job[]>;
  /**
   * Deletes a claimed job. False when the claim was lost (lease ran out and another
   * claimed it): the other delivery stands.
   */
  completeJob(job: Job): Promise<boolean>;
  /**
   * Releases a claimed job to run again at `runAt`, merged into a waiting job with the
   * same key if there is one (two statements). False when the claim was lost.
   */
  retryJob(job: Job, runAt: number): Promise<boolean>;
}

/** A web UI sign-in (the browser holds the id; the store only its hash). */
export interface WebSession {
  userId: number;
  /** Every form of the session carries it; a POST without it is refused. */
  csrfToken: string;
  expiresAt: number;
}

/** Web UI sessions, shared by every node. One statement each. */
export interface WebSessionStore {
  createWebSession(idHash: string, userId: number, csrfToken: string, expiresAt: number): Promise<void>;
  /** The session with this id hash unless it expired before `now`. */
  getWebSession(idHash: string, now: number): Promise<WebSession | undefined>;
  deleteWebSession(idHash: string): Promise<void>;
  /** Signs a user out everywhere (a new password, a disabled account). */
  deleteWebSessionsOfUser(userId: number): Promise<void>;
  deleteExpiredWebSessions(now: number): Promise<number>;
}

// --- feed links (src/feeds/) ---
/** A read-only public link to a calendar: whoever knows the token may read it. */
export interface FeedLink {
  id: number;
  token: string;
  collectionId: number;
  createdAt: number;
}

/** Feed links: one statement each; deleted with their collection. */
export interface FeedLinkStore {
  addFeedLink(collectionId: number, token: string): Promise<FeedLink>;
  getFeedLink(token: string): Promise<FeedLink | undefined>;
  /** Oldest first. */
  listFeedLinks(collectionId: number): Promise<FeedLink[]>;
  /** False when the collection has no such link. */
  removeFeedLink(collectionId: number, id: number): Promise<boolean>;
}
// --- end feed links ---

/** Everything a request may read or write; inside a transaction, bound to it. */
export interface StoreSession
  extends UserStore, CollectionStore, PropertyStore, IntervalIndex, JobQueue, SettingStore, SubscriptionStore,
    WebSessionStore, FeedLinkStore {}

// --- operations (src/http/health.ts, src/http/metrics.ts) ---
/** What the health check and the metrics read: one cheap statement each, outside any transaction. */
export interface OperationsStore {
  /** One round trip to the database; rejects when it cannot answer. */
  ping(): Promise<void>;
  /** Objects stored, in every collection: a count over an index (no data read), O(objects). */
  countObjects(): Promise<number>;
  /** Jobs not yet completed (due, due later, or being delivered), by queue. */
  countJobs(): Promise<Record<string, number>>;
}
// --- end operations ---

export interface Store extends StoreSession, OperationsStore {
  /** 'sqlite' or 'postgres'. */
  readonly engine: string;
  /**
   * Runs fn in one transaction on a session bound to it: committed when fn resolves,
   * rolled back when it throws. fn should await only the session's methods: a
   * transaction holds the collection locks (and on SQLite the one writer) until it ends.
   */
  transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T>;
  /**
   * Calls listener (later, never inside the write) once the subscription is in place and
   * again whenever a transaction that enqueued to the queue commits, on any node on
   * PostgreSQL, in this process on SQLite. A job due later wakes nobody when it comes
   * due, nor does a lease running out: the worker polls for those. Returns unsubscribe.
   */
  onJobs(queue: string, listener: () => void): () => void;
  close(): Promise<void>;
}
