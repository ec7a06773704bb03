import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { migrate } from './migrate.js';
import type {
  Change, Collection, CollectionFields, DeadProperty, ObjectMeta, ObjectWrite, PropertyOwner,
  RangeCandidate, Store, StoredObject, TimeSpan, User,
} from './types.js';
import { FLOATING_SLACK_MS } from './types.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

const COLLECTION_COLUMNS = `id, owner_id AS ownerId, kind, uri, displayname, description, color,
  sort_order AS sortOrder, timezone, components, synctoken, created_at AS createdAt, modified_at AS modifiedAt`;
const META_COLUMNS = 'uri, uid, etag, component, size, modified_at AS modifiedAt';
const LIST_PAGE = 500;
const USER_COLUMNS = 'id, username, password_hash AS passwordHash, display_name AS displayName, email';

/** Maps the writable collection fields to their columns (the only names ever put into SQL). */
const FIELD_COLUMNS: Record<keyof CollectionFields, string> = {
  displayname: 'displayname',
  description: 'description',
  color: 'color',
  sortOrder: 'sort_order',
  timezone: 'timezone',
  components: 'components',
};

// The time index (migrations/002_time_index.sql) buckets spans by width: level k
// holds spans no wider than LEVEL_WIDTHS[k], the last level everything wider. A span
// of level k that matches [a, b) starts in [a - width_k, b): two-sided on the index.
const WEEK_MS = 7 * 86_400_000;
const LEVEL_WIDTHS = [1, 8, 64, 512, 4096].map((w) => w * WEEK_MS);
const TOP_LEVEL = LEVEL_WIDTHS.length;
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

function levelOf(span: { start: number; end: number }): number {
  const width = span.end - span.start;
  const k = LEVEL_WIDTHS.findIndex((w) => width <= w);
  return k < 0 ? TOP_LEVEL : k;
}

/**
 * One branch per level, each a range scan of the primary key, widened by the floating
 * slack (a floating span placed in another zone may be that far off); then per row:
 * 1 = decides a match, 0 = candidate to confirm, -1 = no match. The object's floating
 * zone is looked up only for the rows placed in one, not joined for every row.
 */
function overlappingSql(): string {
  const near = 'start < @endSlack AND end > @startSlack';
  const branches = LEVEL_WIDTHS.map((_, k) =>
    `SELECT object_id, start, end, exact FROM time_index
     WHERE collection_id = @collectionId AND component = @component AND level = ${k} AND start >= @lo${k} AND ${near}`);
  branches.push(`SELECT object_id, start, end, exact FROM time_index
     WHERE collection_id = @collectionId AND component = @component AND level = ${TOP_LEVEL} AND ${near}`);
  // Objects whose spans stop short of the range (open-ended series past the horizon).
  branches.push(`SELECT id, 0, 0, -1 FROM objects
     WHERE collection_id = @collectionId AND component = @component
       AND time_index_until IS NOT NULL AND time_index_until <= @end`);
  const test = 'r.start < @end AND (r.end > @start OR (r.end = r.start AND r.start >= @start))';
  const status = `CASE
      WHEN r.exact = -1 THEN 0
      WHEN r.exact = 2 AND (SELECT floating_zone FROM objects f WHERE f.id = r.object_id) IS NOT @floatingZone THEN 0
      WHEN ${test} THEN (r.exact > 0)
      ELSE -1 END`;
  return `SELECT ${META_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')}, o.data, g.decided
    FROM (SELECT r.object_id, MAX(${status}) AS decided
          FROM (${branches.join('\n UNION ALL ')}) r
          GROUP BY r.object_id) g
    JOIN objects o ON o.id = g.object_id
    WHERE g.decided >= 0`;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepareAll']>;
  /** better-sqlite3 builds four wrapper closures per db.transaction(): one serves all. */
  private readonly runInTransaction: <T>(fn: () => T) => T;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can
    // lose the last transactions, and never corrupts the file.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db, MIGRATIONS_DIR);
    this.stmt = this.prepareAll();
    this.runInTransaction = this.db.transaction((fn: () => unknown) => fn()) as <T>(fn: () => T) => T;
  }

  static inDataDir(dataDir: string): SqliteStore {
    return new SqliteStore(join(dataDir, 'davenport.sqlite'));
  }

  private prepareAll() {
    const db = this.db;
    return {
      countUsers: db.prepare('SELECT COUNT(*) FROM users').pluck(),
      listUsers: db.prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`),
      getUser: db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`),
      createUser: db.prepare(
        'INSERT INTO users (username, password_hash, email, display_name, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      setPasswordHash: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),

      listCollections: db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE owner_id = ? AND kind = ? ORDER BY uri`),
      getCollection: db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE owner_id = ? AND kind = ? AND uri = ?`),
      getCollectionById: db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE id = ?`),
      createCollection: db.prepare(
        `INSERT INTO collections (owner_id, kind, uri, displayname, description, color, sort_order, timezone, components, created_at, modified_at)
         VALUES (@ownerId, @kind, @uri, @displayname, @description, @color, @sortOrder, @timezone, @components, @now, @now)`,
      ),
      deleteCollection: db.prepare('DELETE FROM collections WHERE id = ?'),
      bumpCollection: db.prepare(
        'UPDATE collections SET synctoken = synctoken + 1, modified_at = ? WHERE id = ? RETURNING synctoken',
      ).pluck(),

      listObjectsAfter: db.prepare(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = ? AND uri > ? ORDER BY uri LIMIT ?`),
      getObject: db.prepare(`SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri = ?`),
      getObjects: db.prepare(
        `SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri IN (SELECT value FROM json_each(?))`,
      ),
      getObjectMeta: db.prepare(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = ? AND uri = ?`),
      iterateObjectsAfter: db.prepare(`SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri > ? ORDER BY uri LIMIT ?`),
      findUriByUid: db.prepare('SELECT uri FROM objects WHERE collection_id = ? AND uid = ?').pluck(),
      objectsOfComponent: db.prepare(`SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND component = ?`),
      objectsOverlapping: db.prepare(overlappingSql()),
      upsertObject: db.prepare(
        `INSERT INTO objects (collection_id, uri, uid, etag, component, data, size,
                              time_index_until, floating_zone, modified_at)
         VALUES (@collectionId, @uri, @uid, @etag, @component, @data, @size,
                 @timeIndexUntil, @floatingZone, @now)
         ON CONFLICT (collection_id, uri) DO UPDATE SET
           uid = excluded.uid, etag = excluded.etag, component = excluded.component, data = excluded.data,
           size = excluded.size, time_index_until = excluded.time_index_until,
           floating_zone = excluded.floating_zone,
           modified_at = excluded.modified_at
         RETURNING id`,
      ).pluck(),
      deleteSpans: db.prepare('DELETE FROM time_index WHERE object_id = ?'),
      insertSpan: db.prepare(
        `INSERT INTO time_index (collection_id, component, level, start, end, object_id, exact)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteObject: db.prepare('DELETE FROM objects WHERE collection_id = ? AND uri = ?'),
      logChange: db.prepare('INSERT INTO changes (collection_id, synctoken, uri, deleted) VALUES (?, ?, ?, ?)'),
      changesSince: db.prepare(
        'SELECT uri, deleted, synctoken FROM changes WHERE collection_id = ? AND synctoken > ? ORDER BY synctoken',
      ),

      getDeadProperties: db.prepare(
        'SELECT namespace, name, xml FROM properties WHERE collection_id = ? AND object_uri = ?',
      ),
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
    };
  }

  transaction<T>(fn: () => T): T {
    // A nested call joins the outer transaction: no caller recovers from a failure
    // inside one, so a savepoint would only add two statements to every PUT.
    return this.db.inTransaction ? fn() : this.runInTransaction(fn);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  countUsers(): number {
    return this.stmt.countUsers.get() as number;
  }

  listUsers(): User[] {
    return this.stmt.listUsers.all() as User[];
  }

  getUser(username: string): User | undefined {
    return this.stmt.getUser.get(username) as User | undefined;
  }

  createUser(username: string, passwordHash: string, email: string | null, displayName: string | null): User {
    const { lastInsertRowid } = this.stmt.createUser.run(username, passwordHash, email, displayName, Date.now());
    return { id: Number(lastInsertRowid), username, passwordHash, email, displayName };
  }

  setPasswordHash(userId: number, passwordHash: string): void {
    this.stmt.setPasswordHash.run(passwordHash, userId);
  }

  listCollections(ownerId: number, kind: string): Collection[] {
    return this.stmt.listCollections.all(ownerId, kind) as Collection[];
  }

  getCollection(ownerId: number, kind: string, uri: string): Collection | undefined {
    return this.stmt.getCollection.get(ownerId, kind, uri) as Collection | undefined;
  }

  createCollection(ownerId: number, kind: string, uri: string, fields: CollectionFields): Collection {
    const { lastInsertRowid } = this.stmt.createCollection.run({
      ownerId, kind, uri, now: Date.now(),
      displayname: fields.displayname ?? null,
      description: fields.description ?? null,
      color: fields.color ?? null,
      sortOrder: fields.sortOrder ?? null,
      timezone: fields.timezone ?? null,
      components: fields.components ?? null,
    });
    return this.stmt.getCollectionById.get(lastInsertRowid) as Collection;
  }

  updateCollection(collectionId: number, fields: CollectionFields): void {
    const keys = Object.keys(fields) as (keyof CollectionFields)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${FIELD_COLUMNS[k]} = @${k}`).join(', ');
    this.db.prepare(`UPDATE collections SET ${sets}, modified_at = @now WHERE id = @id`)
      .run({ ...fields, now: Date.now(), id: collectionId });
  }

  deleteCollection(collectionId: number): void {
    this.stmt.deleteCollection.run(collectionId);
  }

  listObjects(collectionId: number): Iterable<ObjectMeta> {
    return this.pages<ObjectMeta>(this.stmt.listObjectsAfter, collectionId);
  }

  iterateObjects(collectionId: number): Iterable<StoredObject> {
    return this.pages<StoredObject>(this.stmt.iterateObjectsAfter, collectionId);
  }

  /**
   * Keyset pages, each its own statement: nothing stays open between pages, so a
   * response can stream out while other requests use the connection.
   */
  private *pages<T extends { uri: string }>(statement: Database.Statement, collectionId: number): Iterable<T> {
    let after = '';
    for (;;) {
      const page = statement.all(collectionId, after, LIST_PAGE) as T[];
      yield* page;
      if (page.length < LIST_PAGE) return;
      after = page[page.length - 1]!.uri;
    }
  }

  getObject(collectionId: number, uri: string): StoredObject | undefined {
    return this.stmt.getObject.get(collectionId, uri) as StoredObject | undefined;
  }

  getObjects(collectionId: number, uris: string[]): StoredObject[] {
    return this.stmt.getObjects.all(collectionId, JSON.stringify(uris)) as StoredObject[];
  }

  getObjectMeta(collectionId: number, uri: string): ObjectMeta | undefined {
    return this.stmt.getObjectMeta.get(collectionId, uri) as ObjectMeta | undefined;
  }


  findUriByUid(collectionId: number, uid: string): string | undefined {
    return this.stmt.findUriByUid.get(collectionId, uid) as string | undefined;
  }

  objectsOfComponent(collectionId: number, component: string): StoredObject[] {
    return this.stmt.objectsOfComponent.all(collectionId, component) as StoredObject[];
  }

  objectsOverlapping(
    collectionId: number, component: string, start: number | null, end: number | null, floatingZone: string | null,
  ): RangeCandidate[] {
    const bounded = (n: number) => Math.max(-UNBOUNDED, Math.min(UNBOUNDED, n));
    const params: Record<string, number | string | null> = {
      collectionId, component, floatingZone,
      start: start ?? -UNBOUNDED,
      end: end ?? UNBOUNDED,
      startSlack: start === null ? -UNBOUNDED : bounded(start - FLOATING_SLACK_MS),
      endSlack: end === null ? UNBOUNDED : bounded(end + FLOATING_SLACK_MS),
    };
    LEVEL_WIDTHS.forEach((w, k) => {
      params[`lo${k}`] = start === null ? -UNBOUNDED : bounded(start - w - FLOATING_SLACK_MS);
    });
    const rows = this.stmt.objectsOverlapping.all(params) as (StoredObject & { decided: number })[];
    for (const row of rows) (row as unknown as RangeCandidate).decided = row.decided === 1;
    // Sorted here rather than by SQL, whose sorter would carry every row's data along.
    rows.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
    return rows as unknown as RangeCandidate[];
  }

  putObject(collectionId: number, object: ObjectWrite): number {
    return this.transaction(() => {
      const now = Date.now();
      const index = object.timeIndex;
      const id = this.stmt.upsertObject.get({
        collectionId, now,
        uri: object.uri, uid: object.uid, etag: object.etag, component: object.component,
        data: object.data, size: object.data.length,
        timeIndexUntil: index ? index.completeUntil : null,
        floatingZone: index ? index.floatingZone : null,
      }) as number;
      this.stmt.deleteSpans.run(id);
      if (index && object.component !== null) this.insertSpans(collectionId, object.component, id, index.spans);
      return this.logChange(collectionId, object.uri, false, now);
    });
  }

  private insertSpans(collectionId: number, component: string, objectId: number, spans: TimeSpan[]): void {
    // exact: 1 decides, 2 decides in the object's floating zone, 0 pre-selects.
    // Equal spans are one row, keeping the strongest.
    const rank = (s: TimeSpan) => (!s.exact ? 0 : s.floating ? 2 : 3);
    const unique = new Map<string, { start: number; end: number; rank: number }>();
    for (const s of spans) {
      const start = Math.max(-UNBOUNDED, Math.min(UNBOUNDED, Math.round(s.start)));
      const end = Math.max(start, Math.min(UNBOUNDED, Math.round(s.end)));
      const key = `${start}/${end}`;
      const seen = unique.get(key);
      if (!seen || seen.rank < rank(s)) unique.set(key, { start, end, rank: rank(s) });
    }
    for (const s of unique.values()) {
      const exact = s.rank === 3 ? 1 : s.rank === 2 ? 2 : 0;
      this.stmt.insertSpan.run(collectionId, component, levelOf(s), s.start, s.end, objectId, exact);
    }
  }

  deleteObject(collectionId: number, uri: string): number {
    return this.transaction(() => {
      this.stmt.deleteObject.run(collectionId, uri);
      this.stmt.removeObjectProperties.run(collectionId, uri);
      return this.logChange(collectionId, uri, true, Date.now());
    });
  }

  /** The one place the sync token is bumped: always together with its change row. */
  private logChange(collectionId: number, uri: string, deleted: boolean, now: number): number {
    const token = this.stmt.bumpCollection.get(now, collectionId) as number;
    this.stmt.logChange.run(collectionId, token, uri, deleted ? 1 : 0);
    return token;
  }

  changesSince(collectionId: number, since: number): Change[] {
    const rows = this.stmt.changesSince.all(collectionId, since) as { uri: string; deleted: number; synctoken: number }[];
    return rows.map((r) => ({ uri: r.uri, deleted: r.deleted === 1, synctoken: r.synctoken }));
  }

  getDeadProperties(owner: PropertyOwner): DeadProperty[] {
    const rows = 'collectionId' in owner
      ? this.stmt.getDeadProperties.all(owner.collectionId, owner.objectUri)
      : this.stmt.getUserProperties.all(owner.userId, owner.resource);
    return rows as DeadProperty[];
  }

  setDeadProperty(owner: PropertyOwner, prop: DeadProperty): void {
    if ('collectionId' in owner) this.stmt.setDeadProperty.run(owner.collectionId, owner.objectUri, prop.namespace, prop.name, prop.xml);
    else this.stmt.setUserProperty.run(owner.userId, owner.resource, prop.namespace, prop.name, prop.xml);
  }

  removeDeadProperty(owner: PropertyOwner, namespace: string, name: string): void {
    if ('collectionId' in owner) this.stmt.removeDeadProperty.run(owner.collectionId, owner.objectUri, namespace, name);
    else this.stmt.removeUserProperty.run(owner.userId, owner.resource, namespace, name);
  }
}
