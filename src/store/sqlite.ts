import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { migrate } from './migrate.js';
import type {
  Change, Collection, CollectionFields, DeadProperty, IndexedObject, ObjectMeta, ObjectWrite,
  Store, StoredObject, User,
} from './types.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

const COLLECTION_COLUMNS = `id, owner_id AS ownerId, kind, uri, displayname, description, color,
  sort_order AS sortOrder, timezone, components, synctoken, created_at AS createdAt, modified_at AS modifiedAt`;
const META_COLUMNS = 'uri, uid, etag, component, size, modified_at AS modifiedAt';
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

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepareAll']>;

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

      listObjects: db.prepare(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = ? ORDER BY uri`),
      getObject: db.prepare(`SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? AND uri = ?`),
      getObjectMeta: db.prepare(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = ? AND uri = ?`),
      iterateObjects: db.prepare(`SELECT ${META_COLUMNS}, data FROM objects WHERE collection_id = ? ORDER BY uri`),
      findUriByUid: db.prepare('SELECT uri FROM objects WHERE collection_id = ? AND uid = ?').pluck(),
      objectsInRange: db.prepare(
        `SELECT ${META_COLUMNS}, data, first_start AS firstStart, last_end AS lastEnd, exact_range AS exactRange
         FROM objects
         WHERE collection_id = @collectionId
           AND (@component IS NULL OR component = @component)
           AND (@end IS NULL OR first_start IS NULL OR first_start < @end)
           AND (@start IS NULL OR last_end IS NULL OR last_end > @start OR (last_end = first_start AND last_end >= @start))`,
      ),
      upsertObject: db.prepare(
        `INSERT INTO objects (collection_id, uri, uid, etag, component, data, size, first_start, last_end, exact_range, modified_at)
         VALUES (@collectionId, @uri, @uid, @etag, @component, @data, @size, @firstStart, @lastEnd, @exactRange, @now)
         ON CONFLICT (collection_id, uri) DO UPDATE SET
           uid = excluded.uid, etag = excluded.etag, component = excluded.component, data = excluded.data,
           size = excluded.size, first_start = excluded.first_start, last_end = excluded.last_end,
           exact_range = excluded.exact_range, modified_at = excluded.modified_at`,
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
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
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

  listObjects(collectionId: number): ObjectMeta[] {
    return this.stmt.listObjects.all(collectionId) as ObjectMeta[];
  }

  getObject(collectionId: number, uri: string): StoredObject | undefined {
    return this.stmt.getObject.get(collectionId, uri) as StoredObject | undefined;
  }

  getObjectMeta(collectionId: number, uri: string): ObjectMeta | undefined {
    return this.stmt.getObjectMeta.get(collectionId, uri) as ObjectMeta | undefined;
  }

  iterateObjects(collectionId: number): IterableIterator<StoredObject> {
    return this.stmt.iterateObjects.iterate(collectionId) as IterableIterator<StoredObject>;
  }

  findUriByUid(collectionId: number, uid: string): string | undefined {
    return this.stmt.findUriByUid.get(collectionId, uid) as string | undefined;
  }

  objectsInRange(collectionId: number, component: string | null, start: number | null, end: number | null): IndexedObject[] {
    const rows = this.stmt.objectsInRange.all({ collectionId, component, start, end }) as (Omit<IndexedObject, 'exactRange'> & { exactRange: number })[];
    return rows.map((row) => ({ ...row, exactRange: row.exactRange === 1 }));
  }

  putObject(collectionId: number, object: ObjectWrite): number {
    return this.transaction(() => {
      const now = Date.now();
      this.stmt.upsertObject.run({
        collectionId, now,
        uri: object.uri, uid: object.uid, etag: object.etag, component: object.component,
        data: object.data, size: object.data.length,
        firstStart: object.firstStart, lastEnd: object.lastEnd, exactRange: object.exactRange ? 1 : 0,
      });
      return this.logChange(collectionId, object.uri, false, now);
    });
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

  getDeadProperties(collectionId: number, objectUri: string): DeadProperty[] {
    return this.stmt.getDeadProperties.all(collectionId, objectUri) as DeadProperty[];
  }

  setDeadProperty(collectionId: number, objectUri: string, prop: DeadProperty): void {
    this.stmt.setDeadProperty.run(collectionId, objectUri, prop.namespace, prop.name, prop.xml);
  }

  removeDeadProperty(collectionId: number, objectUri: string, namespace: string, name: string): void {
    this.stmt.removeDeadProperty.run(collectionId, objectUri, namespace, name);
  }
}
