import Database from 'better-sqlite3';
import { installPath } from '../../install-dir.js';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { byUri, intervalRows, LEVEL_WIDTHS, queryBounds, TOP_LEVEL, type IntervalRow } from '../interval-levels.js';
import {
  APP_PASSWORD_COLUMNS, FIELD_COLUMNS, PAGE, scopeKey, SUBSCRIPTION_COLUMNS, subscriptionOf, WAITING_KEY, type SubscriptionRow,
} from '../sql-common.js';
import type {
  AppPassword, Change, Collection, CollectionFields, DeadProperty, FeedLink, IntervalMatch, IntervalQuery, IntervalSet, Job, NewJob,
  NewSubscription, ObjectMeta, ObjectWrite, PropertyOwner, Store, StoreSession, StoredObject, Subscription, User, WebSession,
} from '../types.js';
import { JobWakeups } from '../job-wakeups.js';
import { migrate } from './migrate.js';
import { GroupCommit } from './group-commit.js';
import { ReadSnapshot } from './read-snapshot.js';
import { WriteLock } from './write-lock.js';

const MIGRATIONS_DIR = installPath('migrations', 'sqlite');

const COLLECTION_COLUMNS = `id, owner_id AS ownerId, kind, uri, displayname, description, color,
  sort_order AS sortOrder, timezone, components, synctoken, created_at AS createdAt, modified_at AS modifiedAt, generator`;
const META_COLUMNS = 'uri, uid, etag, component, size, modified_at AS modifiedAt';
const USER_COLUMNS = 'id, username, password_hash AS passwordHash, display_name AS displayName, email, admin, disabled';
const FEED_LINK_COLUMNS = 'id, token, collection_id AS collectionId, created_at AS createdAt';

/**
 * An objects row read as an array (a statement in raw mode), columns in META_COLUMNS
 * order and then data: better-sqlite3 builds a row object property by property, which
 * costs more than reading the row on bulk reads (a multiget's hundred objects).
 */
function storedObjectOf(row: unknown[]): StoredObject {
  const [uri, uid, etag, component, size, modifiedAt, data] = row as [string, string, string, string | null, number, number, Buffer];
  return { uri, uid, etag, component, size, modifiedAt, data };
}

/** A users row as read: SQLite keeps booleans as 0/1. */
function userOf(row: unknown): User {
  const r = row as Omit<User, 'admin' | 'disabled'> & { admin: number; disabled: number };
  return { ...r, admin: r.admin === 1, disabled: r.disabled === 1 };
}


/**
 * One branch per level (interval-levels.ts), each a range scan of the primary key,
 * widened by the slack (an interval placed under another tag may be that far off);
 * then per row: 1 = decides a match, 0 = candidate to confirm, -1 = no match. The
 * object's tag is looked up only for the rows placed under one, not joined for every row.
 */
function overlappingSql(): string {
  const near = 'start < @endSlack AND end >= @startSlack'; // >=: a point at the start matches
  const branches = LEVEL_WIDTHS.map((_, k) =>
    `SELECT object_id, start, end, exact FROM time_index
     WHERE collection_id = @collectionId AND component = @component AND level = ${k} AND start >= @lo${k} AND ${near}`);
  branches.push(`SELECT object_id, start, end, exact FROM time_index
     WHERE collection_id = @collectionId AND component = @component AND level = ${TOP_LEVEL} AND ${near}`);
  // Objects whose intervals stop short of the range (open-ended series past the horizon).
  branches.push(`SELECT id, 0, 0, -1 FROM objects
     WHERE collection_id = @collectionId AND component = @component
       AND time_index_until IS NOT NULL AND time_index_until <= @end`);
  const test = 'r.start < @end AND (r.end > @start OR (r.end = r.start AND r.start >= @start))';
  const status = `CASE
      WHEN r.exact = -1 THEN 0
      WHEN r.exact = 2 AND (SELECT floating_zone FROM objects f WHERE f.id = r.object_id) IS NOT @tag THEN 0
      WHEN ${test} THEN (r.exact > 0)
      ELSE -1 END`;
  return `SELECT o.uri, g.decided
    FROM (SELECT r.object_id, MAX(${status}) AS decided
          FROM (${branches.join('\n UNION ALL ')}) r
          GROUP BY r.object_id) g
    JOIN objects o ON o.id = g.object_id
    WHERE g.decided >= 0`;
}

function prepareAll(db: Database.Database) {
  return {
    countUsers: db.prepare('SELECT COUNT(*) FROM users').pluck(),
    listUsers: db.prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`),
    getUser: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`),
    createUser: db.prepare(
      'INSERT INTO users (username, password_hash, email, display_name, created_at, admin) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    setPasswordHash: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    setUserDisabled: db.prepare('UPDATE users SET disabled = ? WHERE id = ?'),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    addFeedLink: db.prepare(`INSERT INTO feed_links (token, collection_id, created_at) VALUES (?, ?, ?) RETURNING ${FEED_LINK_COLUMNS}`),
    getFeedLink: db.prepare(`SELECT ${FEED_LINK_COLUMNS} FROM feed_links WHERE token = ?`),
    listFeedLinks: db.prepare(`SELECT ${FEED_LINK_COLUMNS} FROM feed_links WHERE collection_id = ? ORDER BY id`),
    removeFeedLink: db.prepare('DELETE FROM feed_links WHERE collection_id = ? AND id = ?'),
    getUserById: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
    getUsersByEmail: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower(?) LIMIT 2`),
    addAppPassword: db.prepare(
      `INSERT INTO app_passwords (user_id, label, hash, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, label) DO NOTHING RETURNING ${APP_PASSWORD_COLUMNS}`,
    ),
    listAppPasswords: db.prepare(`SELECT ${APP_PASSWORD_COLUMNS} FROM app_passwords WHERE user_id = ? ORDER BY label`),
    removeAppPassword: db.prepare('DELETE FROM app_passwords WHERE user_id = ? AND label = ?'),
    touchAppPassword: db.prepare('UPDATE app_passwords SET last_used_at = ? WHERE id = ?'),

    createWebSession: db.prepare('INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    getWebSession: db.prepare(
      'SELECT user_id AS userId, csrf_token AS csrfToken, expires_at AS expiresAt FROM web_sessions WHERE id_hash = ? AND expires_at > ?',
    ),
    deleteWebSession: db.prepare('DELETE FROM web_sessions WHERE id_hash = ?'),
    deleteWebSessionsOfUser: db.prepare('DELETE FROM web_sessions WHERE user_id = ?'),
    deleteExpiredWebSessions: db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?'),

    getSetting: db.prepare('SELECT value FROM settings WHERE name = ?').pluck(),
    initSetting: db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),

    saveSubscription: db.prepare(
      `INSERT INTO subscriptions (public_id, user_id, transport, scope, collection_id, name, address, details, expires_at, created_at)
       VALUES (@publicId, @userId, @transport, @scope, @collectionId, @name, @address, @details, @expiresAt, @now)
       ON CONFLICT (user_id, transport, scope, name) DO UPDATE SET
         address = excluded.address, details = excluded.details, expires_at = excluded.expires_at
       RETURNING ${SUBSCRIPTION_COLUMNS}, created_at = @now AS created`,
    ),
    getSubscription: db.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE public_id = ?`),
    findSubscriptions: db.prepare(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE user_id = ? AND transport = ? AND name = ?`),
    deleteSubscription: db.prepare('DELETE FROM subscriptions WHERE id = ?'),
    subscriptionsFor: db.prepare(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE collection_id = @collectionId AND expires_at > @now
       UNION ALL
       SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE user_id = @ownerId AND scope = @homeScope AND expires_at > @now`,
    ),
    nextMessageNumber: db.prepare('UPDATE subscriptions SET message_number = message_number + 1 WHERE id = ? RETURNING message_number').pluck(),
    deleteExpiredSubscriptions: db.prepare('DELETE FROM subscriptions WHERE expires_at <= ?'),

    listCollections: db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE owner_id = ? AND kind = ? ORDER BY uri`),
    getCollection: db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE owner_id = ? AND kind = ? AND uri = ?`),
    getCollectionById: db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE id = ?`),
    prunedThrough: db.prepare('SELECT pruned_through FROM collections WHERE id = ?').pluck(),
    collectionExists: db.prepare('SELECT 1 FROM collections WHERE id = ?').pluck(),
    createCollection: db.prepare(
      `INSERT INTO collections (owner_id, kind, uri, displayname, description, color, sort_order, timezone, components, created_at, modified_at, generator)
       VALUES (@ownerId, @kind, @uri, @displayname, @description, @color, @sortOrder, @timezone, @components, @now, @now, @generator)
       ON CONFLICT DO NOTHING`,
    ),
    deleteCollection: db.prepare('DELETE FROM collections WHERE id = ?'),
    renameCollection: db.prepare('UPDATE collections SET uri = ?, modified_at = ? WHERE id = ?'),
    bumpCollection: db.prepare(
      'UPDATE collections SET synctoken = synctoken + 1, modified_at = ? WHERE id = ? RETURNING synctoken',
    ).pluck(),

    listObjectsAfter: db.prepare(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = ? AND uri > ? ORDER BY uri LIMIT ${PAGE}`),
    listObjectsFrom: db.prepare(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = ? AND uri >= ? ORDER BY uri LIMIT ${PAGE}`),
    iterateObjectsAfter: db.prepare(`SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri > ? ORDER BY uri LIMIT ${PAGE}`),
    componentObjectsAfter: db.prepare(
      `SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri > ? AND component = ? ORDER BY uri LIMIT ${PAGE}`,
    ),
    getObject: db.prepare(`SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri = ?`),
    getObjects: db.prepare(
      `SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri IN (SELECT value FROM json_each(?))`,
    ).raw(),
    getObjectMeta: db.prepare(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = ? AND uri = ?`),
    findUriByUid: db.prepare('SELECT uri FROM objects WHERE collection_id = ? AND uid = ?').pluck(),
    upsertObject: db.prepare(
      `INSERT INTO objects (collection_id, uri, uid, etag, component, data, size, modified_at)
       VALUES (@collectionId, @uri, @uid, @etag, @component, @data, @size, @now)
       ON CONFLICT (collection_id, uri) DO UPDATE SET
         uid = excluded.uid, etag = excluded.etag, component = excluded.component, data = excluded.data,
         size = excluded.size, modified_at = excluded.modified_at
       RETURNING id`,
    ).pluck(),
    deleteObject: db.prepare('DELETE FROM objects WHERE collection_id = ? AND uri = ?'),
    logChange: db.prepare('INSERT INTO changes (collection_id, synctoken, uri, deleted, changed_at) VALUES (?, ?, ?, ?, ?)'),
    changesSince: db.prepare(
      'SELECT uri, deleted, synctoken, changed_at AS changedAt FROM changes WHERE collection_id = ? AND synctoken > ? ORDER BY synctoken',
    ),
    markPruned: db.prepare(
      `UPDATE collections SET pruned_through = pruned.token
       FROM (SELECT collection_id, MAX(synctoken) AS token FROM changes WHERE changed_at < ? GROUP BY collection_id) pruned
       WHERE collections.id = pruned.collection_id`,
    ),
    pruneChanges: db.prepare('DELETE FROM changes WHERE changed_at < ?'),

    overlapping: db.prepare(overlappingSql()),
    deleteIntervals: db.prepare('DELETE FROM time_index WHERE object_id = ?'),
    insertInterval: db.prepare(
      'INSERT INTO time_index (collection_id, component, level, start, end, object_id, exact) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    setIntervalCover: db.prepare('UPDATE objects SET time_index_until = ?, floating_zone = ? WHERE id = ?'),
    intervalCover: db.prepare('SELECT time_index_until AS until, floating_zone AS tag FROM objects WHERE id = ?'),
    intervalsOf: db.prepare('SELECT level, start, end, exact FROM time_index WHERE object_id = ?'),

    getDeadProperties: db.prepare('SELECT namespace, name, xml FROM properties WHERE collection_id = ? AND object_uri = ?'),
    setDeadProperty: db.prepare(
      `INSERT INTO properties (collection_id, object_uri, namespace, name, xml) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (collection_id, object_uri, namespace, name) DO UPDATE SET xml = excluded.xml`,
    ),
    removeDeadProperty: db.prepare(
      'DELETE FROM properties WHERE collection_id = ? AND object_uri = ? AND namespace = ? AND name = ?',
    ),
    removeObjectProperties: db.prepare('DELETE FROM properties WHERE collection_id = ? AND object_uri = ?'),
    getUserProperties: db.prepare('SELECT namespace, name, xml FROM user_properties WHERE user_id = ? AND resource = ?'),
    setUserProperty: db.prepare(
      `INSERT INTO user_properties (user_id, resource, namespace, name, xml) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, resource, namespace, name) DO UPDATE SET xml = excluded.xml`,
    ),
    removeUserProperty: db.prepare('DELETE FROM user_properties WHERE user_id = ? AND resource = ? AND namespace = ? AND name = ?'),

    enqueueJob: db.prepare(
      `INSERT INTO jobs (queue, key, payload, run_at, created_at) VALUES (@queue, @key, @payload, @runAt, @now)
       ${WAITING_KEY} DO NOTHING`,
    ),
    claimJobs: db.prepare(
      `UPDATE jobs SET locked_until = @now + @leaseMs, attempts = attempts + 1
       WHERE id IN (SELECT id FROM jobs WHERE queue = @queue AND run_at <= @now
                      AND (locked_until IS NULL OR locked_until <= @now)
                    ORDER BY run_at, id LIMIT @limit)
       RETURNING id, queue, key, payload, attempts`,
    ),
    completeJob: db.prepare('DELETE FROM jobs WHERE id = ? AND attempts = ?'),
    takeJob: db.prepare('DELETE FROM jobs WHERE id = ? AND attempts = ? RETURNING queue, key, payload, created_at AS createdAt'),
    requeueJob: db.prepare(
      `INSERT INTO jobs (id, queue, key, payload, run_at, attempts, created_at)
       VALUES (@id, @queue, @key, @payload, @runAt, @attempts, @createdAt)
       ${WAITING_KEY} DO UPDATE SET run_at = max(run_at, excluded.run_at), attempts = max(attempts, excluded.attempts)`,
    ),

    // operations (OperationsStore): reading the schema page goes to the file, as any read does
    ping: db.prepare('SELECT COUNT(*) FROM sqlite_schema').pluck(),
    countObjects: db.prepare('SELECT COUNT(*) FROM objects').pluck(),
    countJobs: db.prepare('SELECT queue, COUNT(*) AS n FROM jobs GROUP BY queue'),
  };
}

type Statements = ReturnType<typeof prepareAll>;

/**
 * Runs a synchronous group of writes atomically. Outside a transaction it takes the
 * store's one writer; inside, it simply runs (the transaction holds the writer).
 */
type Atomically = <T>(fn: () => T) => Promise<T>;

/**
 * The store's methods, bound to statements. `read` runs reads: on the read connection
 * (committed data only) or, in a transaction, on the writer's connection so a
 * transaction sees its own writes. `write` always runs on the writer's connection.
 * better-sqlite3 is synchronous: each method does its work before it returns.
 */
class SqliteSession implements StoreSession {
  constructor(
    protected readonly read: Statements,
    protected readonly write: Statements,
    private readonly writer: Database.Database,
    private readonly atomically: Atomically,
    /** Wakes the queue's listeners once the write that enqueued to it has committed. */
    private readonly wakeAfterCommit: (queue: string) => void,
  ) {}

  async countUsers(): Promise<number> {
    return this.read.countUsers.get() as number;
  }

  async listUsers(): Promise<User[]> {
    return this.read.listUsers.all().map(userOf);
  }

  async getUser(username: string): Promise<User | undefined> {
    const row = this.read.getUser.get(username);
    return row === undefined ? undefined : userOf(row);
  }

  createUser(username: string, passwordHash: string, email: string | null, displayName: string | null, admin = false): Promise<User> {
    return this.atomically(() => {
      const { lastInsertRowid } = this.write.createUser.run(username, passwordHash, email, displayName, Date.now(), admin ? 1 : 0);
      return { id: Number(lastInsertRowid), username, passwordHash, displayName, email, admin, disabled: false };
    });
  }

  setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    return this.atomically(() => void this.write.setPasswordHash.run(passwordHash, userId));
  }

  setUserDisabled(userId: number, disabled: boolean): Promise<void> {
    return this.atomically(() => void this.write.setUserDisabled.run(disabled ? 1 : 0, userId));
  }

  deleteUser(userId: number): Promise<boolean> {
    // Foreign keys cascade to everything the user owns.
    return this.atomically(() => this.write.deleteUser.run(userId).changes > 0);
  }

  // --- feed links ---
  addFeedLink(collectionId: number, token: string): Promise<FeedLink> {
    return this.atomically(() => this.write.addFeedLink.get(token, collectionId, Date.now()) as FeedLink);
  }

  async getFeedLink(token: string): Promise<FeedLink | undefined> {
    return this.read.getFeedLink.get(token) as FeedLink | undefined;
  }

  async listFeedLinks(collectionId: number): Promise<FeedLink[]> {
    return this.read.listFeedLinks.all(collectionId) as FeedLink[];
  }

  removeFeedLink(collectionId: number, id: number): Promise<boolean> {
    return this.atomically(() => this.write.removeFeedLink.run(collectionId, id).changes > 0);
  }
  // --- end feed links ---

  async getUserById(id: number): Promise<User | undefined> {
    const row = this.read.getUserById.get(id);
    return row === undefined ? undefined : userOf(row);
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const users = this.read.getUsersByEmail.all(email).map(userOf);
    return users.length === 1 ? users[0] : undefined;
  }

  addAppPassword(userId: number, label: string, hash: string): Promise<AppPassword | undefined> {
    return this.atomically(() => this.write.addAppPassword.get(userId, label, hash, Date.now()) as AppPassword | undefined);
  }

  async listAppPasswords(userId: number): Promise<AppPassword[]> {
    return this.read.listAppPasswords.all(userId) as AppPassword[];
  }

  removeAppPassword(userId: number, label: string): Promise<boolean> {
    return this.atomically(() => this.write.removeAppPassword.run(userId, label).changes > 0);
  }

  touchAppPassword(id: number, at: number): Promise<void> {
    return this.atomically(() => void this.write.touchAppPassword.run(at, id));
  }

  createWebSession(idHash: string, userId: number, csrfToken: string, expiresAt: number): Promise<void> {
    return this.atomically(() => void this.write.createWebSession.run(idHash, userId, csrfToken, Date.now(), expiresAt));
  }

  async getWebSession(idHash: string, now: number): Promise<WebSession | undefined> {
    return this.read.getWebSession.get(idHash, now) as WebSession | undefined;
  }

  deleteWebSession(idHash: string): Promise<void> {
    return this.atomically(() => void this.write.deleteWebSession.run(idHash));
  }

  deleteWebSessionsOfUser(userId: number): Promise<void> {
    return this.atomically(() => void this.write.deleteWebSessionsOfUser.run(userId));
  }

  deleteExpiredWebSessions(now: number): Promise<number> {
    return this.atomically(() => this.write.deleteExpiredWebSessions.run(now).changes);
  }

  async getSetting(name: string): Promise<string | undefined> {
    return this.read.getSetting.get(name) as string | undefined;
  }

  initSetting(name: string, value: string): Promise<string> {
    return this.atomically(() => {
      this.write.initSetting.run(name, value);
      return this.write.getSetting.get(name) as string;
    });
  }

  saveSubscription(s: NewSubscription): Promise<{ subscription: Subscription; created: boolean }> {
    return this.atomically(() => {
      const { created, ...row } = this.write.saveSubscription.get({
        ...s, scope: scopeKey(s.scope), collectionId: 'collectionId' in s.scope ? s.scope.collectionId : null, now: Date.now(),
      }) as SubscriptionRow & { created: number };
      return { subscription: subscriptionOf(row), created: created === 1 };
    });
  }

  async getSubscription(publicId: string): Promise<Subscription | undefined> {
    const row = this.read.getSubscription.get(publicId) as SubscriptionRow | undefined;
    return row && subscriptionOf(row);
  }

  async findSubscriptions(userId: number, transport: string, name: string): Promise<Subscription[]> {
    return (this.read.findSubscriptions.all(userId, transport, name) as SubscriptionRow[]).map(subscriptionOf);
  }

  deleteSubscription(id: number): Promise<boolean> {
    return this.atomically(() => this.write.deleteSubscription.run(id).changes > 0);
  }

  async subscriptionsFor(collectionId: number, ownerId: number, kind: string, now: number): Promise<Subscription[]> {
    const rows = this.read.subscriptionsFor.all({ collectionId, ownerId, homeScope: scopeKey({ homeKind: kind }), now }) as SubscriptionRow[];
    return rows.map(subscriptionOf);
  }

  nextMessageNumber(id: number): Promise<number | undefined> {
    return this.atomically(() => this.write.nextMessageNumber.get(id) as number | undefined);
  }

  deleteExpiredSubscriptions(now: number): Promise<number> {
    return this.atomically(() => this.write.deleteExpiredSubscriptions.run(now).changes);
  }

  async listCollections(ownerId: number, kind: string): Promise<Collection[]> {
    return this.read.listCollections.all(ownerId, kind) as Collection[];
  }

  async getCollection(ownerId: number, kind: string, uri: string): Promise<Collection | undefined> {
    return this.read.getCollection.get(ownerId, kind, uri) as Collection | undefined;
  }

  async getCollectionById(id: number): Promise<Collection | undefined> {
    return this.read.getCollectionById.get(id) as Collection | undefined;
  }

  createCollection(ownerId: number, kind: string, uri: string, fields: CollectionFields, generator?: string): Promise<Collection | undefined> {
    return this.atomically(() => {
      const { changes, lastInsertRowid } = this.write.createCollection.run({
        ownerId, kind, uri, now: Date.now(), generator: generator ?? null,
        displayname: fields.displayname ?? null,
        description: fields.description ?? null,
        color: fields.color ?? null,
        sortOrder: fields.sortOrder ?? null,
        timezone: fields.timezone ?? null,
        components: fields.components ?? null,
      });
      return changes === 0 ? undefined : (this.write.getCollectionById.get(lastInsertRowid) as Collection);
    });
  }

  updateCollection(collectionId: number, fields: CollectionFields): Promise<void> {
    const keys = Object.keys(fields) as (keyof CollectionFields)[];
    if (keys.length === 0) return Promise.resolve();
    const sets = keys.map((k) => `${FIELD_COLUMNS[k]} = @${k}`).join(', ');
    return this.atomically(() => {
      this.writer.prepare(`UPDATE collections SET ${sets}, modified_at = @now WHERE id = @id`)
        .run({ ...fields, now: Date.now(), id: collectionId });
    });
  }

  renameCollection(collectionId: number, uri: string): Promise<void> {
    return this.atomically(() => void this.write.renameCollection.run(uri, Date.now(), collectionId));
  }

  deleteCollection(collectionId: number): Promise<void> {
    return this.atomically(() => void this.write.deleteCollection.run(collectionId));
  }

  async lockCollection(collectionId: number): Promise<boolean> {
    // The transaction already holds the one writer; only existence is left to check.
    return this.write.collectionExists.get(collectionId) !== undefined;
  }

  async lockNamed(): Promise<void> {
    // The one writer already runs transactions one at a time.
  }

  listObjects(collectionId: number, from = ''): AsyncIterable<ObjectMeta[]> {
    return this.pages<ObjectMeta>(
      (after) => (after === undefined ? this.read.listObjectsFrom.all(collectionId, from) : this.read.listObjectsAfter.all(collectionId, after)),
    );
  }

  iterateObjects(collectionId: number): AsyncIterable<StoredObject[]> {
    return this.pages<StoredObject>((after = '') => this.read.iterateObjectsAfter.all(collectionId, after));
  }

  objectsOfComponent(collectionId: number, component: string): AsyncIterable<StoredObject[]> {
    return this.pages<StoredObject>((after = '') => this.read.componentObjectsAfter.all(collectionId, after, component));
  }

  /** Keyset pages, each its own statement: nothing stays open between pages. `after` is undefined for the first. */
  private async *pages<T extends { uri: string }>(page: (after: string | undefined) => unknown[]): AsyncIterable<T[]> {
    let after: string | undefined;
    for (;;) {
      const rows = page(after) as T[];
      if (rows.length > 0) yield rows;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.uri;
    }
  }

  async getObject(collectionId: number, uri: string): Promise<StoredObject | undefined> {
    return this.read.getObject.get(collectionId, uri) as StoredObject | undefined;
  }

  async getObjects(collectionId: number, uris: string[]): Promise<StoredObject[]> {
    return (this.read.getObjects.all(collectionId, JSON.stringify(uris)) as unknown[][]).map(storedObjectOf);
  }

  async getObjectMeta(collectionId: number, uri: string): Promise<ObjectMeta | undefined> {
    return this.read.getObjectMeta.get(collectionId, uri) as ObjectMeta | undefined;
  }

  async findUriByUid(collectionId: number, uid: string): Promise<string | undefined> {
    return this.read.findUriByUid.get(collectionId, uid) as string | undefined;
  }

  putObject(collectionId: number, object: ObjectWrite): Promise<{ objectId: number; synctoken: number }> {
    return this.atomically(() => {
      const now = Date.now();
      const objectId = this.write.upsertObject.get({
        collectionId, now, uri: object.uri, uid: object.uid, etag: object.etag,
        component: object.component, data: object.data, size: object.data.length,
      }) as number;
      return { objectId, synctoken: this.logChange(collectionId, object.uri, false, now) };
    });
  }

  deleteObject(collectionId: number, uri: string): Promise<number> {
    return this.atomically(() => {
      this.write.deleteObject.run(collectionId, uri);
      this.write.removeObjectProperties.run(collectionId, uri);
      return this.logChange(collectionId, uri, true, Date.now());
    });
  }

  /** The one place the sync token is bumped: always together with its change row. */
  private logChange(collectionId: number, uri: string, deleted: boolean, now: number): number {
    const token = this.write.bumpCollection.get(now, collectionId) as number;
    this.write.logChange.run(collectionId, token, uri, deleted ? 1 : 0, now);
    return token;
  }

  async changesSince(collectionId: number, since: number): Promise<Change[] | undefined> {
    const rows = this.read.changesSince.all(collectionId, since) as (Omit<Change, 'deleted'> & { deleted: number })[];
    // Read after the rows: a prune in between only removes rows at or before the mark it sets.
    if (since < ((this.read.prunedThrough.get(collectionId) as number | undefined) ?? 0)) return undefined;
    return rows.map((r) => ({ ...r, deleted: r.deleted === 1 }));
  }

  pruneChanges(before: number): Promise<number> {
    return this.atomically(() => {
      this.write.markPruned.run(before);
      return this.write.pruneChanges.run(before).changes;
    });
  }

  replaceIntervals(collectionId: number, component: string, objectId: number, set: IntervalSet): Promise<void> {
    return this.atomically(() => {
      const rows = intervalRows(set);
      // Most updates move nothing in time: then no index page is written at all.
      if (this.unchanged(objectId, rows, set)) return;
      this.write.deleteIntervals.run(objectId);
      for (const r of rows) {
        this.write.insertInterval.run(collectionId, component, r.level, r.start, r.end, objectId, r.exact);
      }
      this.write.setIntervalCover.run(set.completeUntil, set.tag, objectId);
    });
  }

  private unchanged(objectId: number, rows: IntervalRow[], set: IntervalSet): boolean {
    const cover = this.write.intervalCover.get(objectId) as { until: number | null; tag: string | null } | undefined;
    if (!cover || cover.until !== set.completeUntil || cover.tag !== set.tag) return false;
    const stored = this.write.intervalsOf.all(objectId) as IntervalRow[];
    if (stored.length !== rows.length) return false;
    const key = (r: IntervalRow) => `${r.level}/${r.start}/${r.end}/${r.exact}`;
    const wanted = new Set(rows.map(key));
    return stored.every((r) => wanted.has(key(r)));
  }

  async overlapping(query: IntervalQuery): Promise<IntervalMatch[]> {
    const { lo, ...bounds } = queryBounds(query);
    const params: Record<string, number | string | null> = {
      collectionId: query.collectionId, component: query.component, tag: query.tag, ...bounds,
    };
    lo.forEach((v, k) => (params[`lo${k}`] = v));
    const rows = this.read.overlapping.all(params) as { uri: string; decided: number | boolean }[];
    for (const row of rows) row.decided = row.decided === 1;
    return byUri(rows as IntervalMatch[]);
  }

  async getDeadProperties(owner: PropertyOwner): Promise<DeadProperty[]> {
    const rows = 'collectionId' in owner
      ? this.read.getDeadProperties.all(owner.collectionId, owner.objectUri)
      : this.read.getUserProperties.all(owner.userId, owner.resource);
    return rows as DeadProperty[];
  }

  setDeadProperty(owner: PropertyOwner, prop: DeadProperty): Promise<void> {
    return this.atomically(() => {
      if ('collectionId' in owner) this.write.setDeadProperty.run(owner.collectionId, owner.objectUri, prop.namespace, prop.name, prop.xml);
      else this.write.setUserProperty.run(owner.userId, owner.resource, prop.namespace, prop.name, prop.xml);
    });
  }

  removeDeadProperty(owner: PropertyOwner, namespace: string, name: string): Promise<void> {
    return this.atomically(() => {
      if ('collectionId' in owner) this.write.removeDeadProperty.run(owner.collectionId, owner.objectUri, namespace, name);
      else this.write.removeUserProperty.run(owner.userId, owner.resource, namespace, name);
    });
  }

  async enqueue(job: NewJob): Promise<boolean> {
    const now = Date.now();
    const row = { queue: job.queue, key: job.key ?? null, payload: job.payload, runAt: job.runAt ?? now, now };
    const added = await this.atomically(() => this.write.enqueueJob.run(row).changes > 0);
    if (added) this.wakeAfterCommit(job.queue);
    return added;
  }

  claimJobs(queue: string, limit: number, leaseMs: number): Promise<Job[]> {
    // One statement on the one writer: no other claim, on any connection, comes between.
    return this.atomically(() => this.write.claimJobs.all({ queue, limit, leaseMs, now: Date.now() }) as Job[]);
  }

  completeJob(job: Job): Promise<boolean> {
    return this.atomically(() => this.write.completeJob.run(job.id, job.attempts).changes > 0);
  }

  retryJob(job: Job, runAt: number): Promise<boolean> {
    // Deleted and inserted again, not updated: a job with the same key added while this
    // one was claimed would make two waiting; the insert merges into that one instead.
    return this.atomically(() => {
      const taken = this.write.takeJob.get(job.id, job.attempts) as object | undefined; // passed through as is
      if (taken) this.write.requeueJob.run({ ...taken, id: job.id, attempts: job.attempts, runAt });
      return taken !== undefined;
    });
  }
}

/** The database file of a data directory (also what backup and check open). */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'davenport.sqlite');
}

const PAGE_CACHE_KIB = 4096;

function open(file: string, readonly: boolean): Database.Database {
  const db = new Database(file, { readonly });
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can
  // lose the last transactions, and never corrupts the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // SQLite's own page cache, per connection: better-sqlite3 sets 16 MB, which on a large
  // calendar became most of what the server's memory grew by (two connections), while
  // the OS caches the file anyway.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return db;
}

/**
 * The embedded engine: one SQLite file in WAL mode, two connections. The writer
 * connection does every write, one transaction at a time, transactions of one turn of
 * the event loop sharing a COMMIT (group-commit.ts); the reader sees only committed
 * data, so no request ever reads another's unfinished transaction, and the reads of one
 * turn share one snapshot (read-snapshot.ts).
 */
export class SqliteStore extends SqliteSession implements Store {
  readonly engine = 'sqlite';
  private readonly writerDb: Database.Database;
  private readonly readerDb: Database.Database;
  private readonly lock: WriteLock;
  private readonly commits: GroupCommit;
  private readonly inTransaction: SqliteSession;
  private readonly jobWakeups: JobWakeups;
  /** The queues the transaction in progress enqueued to: woken after its COMMIT. */
  private readonly wakeAtCommit = new Set<string>();

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    const writerDb = new Database(file);
    writerDb.pragma('journal_mode = WAL');
    writerDb.pragma('foreign_keys = ON');
    migrate(writerDb, MIGRATIONS_DIR);
    writerDb.close();
    const writer = open(file, false);
    writer.pragma('foreign_keys = ON');
    // Waiting for another process's write lock happens on timers (GroupCommit.begin).
    writer.pragma('busy_timeout = 0');
    const reader = open(file, true);
    const snapshot = new ReadSnapshot(reader);
    const write = prepareAll(writer);
    const lock = new WriteLock();
    const commits = new GroupCommit(writer, lock, snapshot.end);
    const jobWakeups = new JobWakeups();
    super(snapshot.wrap(prepareAll(reader)), write, writer, (fn) => commits.run(async () => fn()), (queue) => jobWakeups.wake(queue));
    this.writerDb = writer;
    this.readerDb = reader;
    this.lock = lock;
    this.commits = commits;
    this.jobWakeups = jobWakeups;
    this.inTransaction = new SqliteSession(write, write, writer, async (fn) => fn(), (queue) => this.wakeAtCommit.add(queue));
  }

  static inDataDir(dataDir: string): SqliteStore {
    return new SqliteStore(sqliteFile(dataDir));
  }

  async transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T> {
    let queues: string[] = [];
    const result = await this.commits.run(async () => {
      this.wakeAtCommit.clear();
      const result = await fn(this.inTransaction);
      queues = [...this.wakeAtCommit];
      return result;
    });
    for (const queue of queues) this.jobWakeups.wake(queue);
    return result;
  }

  // --- operations (OperationsStore), on the reader: never waits for a writer ---
  async ping(): Promise<void> {
    this.read.ping.get();
  }

  async countObjects(): Promise<number> {
    return this.read.countObjects.get() as number;
  }

  async countJobs(): Promise<Record<string, number>> {
    const rows = this.read.countJobs.all() as { queue: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.queue, r.n]));
  }
  // --- end operations ---

  onJobs(queue: string, listener: () => void): () => void {
    const off = this.jobWakeups.on(queue, listener);
    this.jobWakeups.wake(queue); // in place at once; jobs may be waiting already
    return off;
  }

  async close(): Promise<void> {
    await this.lock.run(async () => {
      this.commits.flush();
      if (this.readerDb.open) this.readerDb.close();
      if (this.writerDb.open) this.writerDb.close();
    });
  }

  /** The database file, for raw table copies between engines (copy.ts opens its own connections). */
  get file(): string {
    return this.writerDb.name;
  }
}
