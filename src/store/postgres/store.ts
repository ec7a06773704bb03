import pg from 'pg';
import { installPath } from '../../install-dir.js';
import { migrate } from './migrate.js';
import { JOBS_CHANNEL, JobListener } from './job-listener.js';
import { byUri, intervalRows, LEVEL_WIDTHS, queryBounds, TOP_LEVEL } from '../interval-levels.js';
import {
  APP_PASSWORD_COLUMNS, FIELD_COLUMNS, PAGE, scopeKey, SUBSCRIPTION_COLUMNS, subscriptionOf, WAITING_KEY, type SubscriptionRow,
} from '../sql-common.js';
import type {
  AppPassword, Change, Collection, CollectionFields, DeadProperty, FeedLink, IntervalMatch, IntervalQuery, IntervalSet, Job, NewJob,
  NewSubscription, ObjectMeta, ObjectWrite, PropertyOwner, Store, StoredObject, StoreSession, Subscription, User, WebSession,
} from '../types.js';

const MIGRATIONS_DIR = installPath('migrations', 'postgres');

const USER_COLUMNS = 'id, username, password_hash AS "passwordHash", display_name AS "displayName", email, admin, disabled';
const FEED_LINK_COLUMNS = 'id, token, collection_id AS "collectionId", created_at AS "createdAt"';
const COLLECTION_COLUMNS = `id, owner_id AS "ownerId", kind, uri, displayname, description, color,
  sort_order AS "sortOrder", timezone, components, synctoken, created_at AS "createdAt", modified_at AS "modifiedAt", generator`;
const META_COLUMNS = 'uri, uid, etag, component, size, modified_at AS "modifiedAt"';
const OBJECT_COLUMNS = `${META_COLUMNS}, data`;
/** deadlock_detected and serialization_failure: the transaction was aborted and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;
/** Epoch ms on the database's clock: leases then hold whatever the nodes' clocks say. */
const DB_NOW = '(extract(epoch FROM now()) * 1000)::bigint';


// Every BIGINT the schema holds (ids, tokens, epoch ms, sizes) is a safe integer.
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)),
};

/** The parameters of OVERLAPPING_SQL in order: pg numbers them $1, $2, … */
const OVERLAP_PARAMS = ['collectionId', 'component', 'tag', 'start', 'end', 'startSlack', 'endSlack', 'lo'] as const;
type OverlapParam = (typeof OVERLAP_PARAMS)[number];

/**
 * One branch per level, each a range scan of the primary key, widened by the slack
 * (an exactForTag row placed under another tag may be that far off; `"end" >=`, not
 * `>`, keeps a point at the query's start when the slack is 0), plus the objects
 * whose rows stop short of the range; then per row: 1 = decides a match, 0 = candidate
 * to confirm, -1 = no match. The object's tag is looked up only for the rows placed
 * under one, not joined for every row.
 */
const OVERLAPPING_SQL = (() => {
  const $ = (name: OverlapParam) => `$${OVERLAP_PARAMS.indexOf(name) + 1}`;
  const scan = (level: number) => `SELECT object_id, start, "end", exact FROM time_index
     WHERE collection_id = ${$('collectionId')} AND component = ${$('component')} AND level = ${level}
       AND start < ${$('endSlack')} AND "end" >= ${$('startSlack')}`;
  const branches = LEVEL_WIDTHS.map((_, k) => `${scan(k)} AND start >= (${$('lo')}::bigint[])[${k + 1}]`);
  branches.push(scan(TOP_LEVEL));
  branches.push(`SELECT id, 0, 0, -1 FROM objects
     WHERE collection_id = ${$('collectionId')} AND component = ${$('component')}
       AND time_index_until IS NOT NULL AND time_index_until <= ${$('end')}`);
  const status = `CASE
      WHEN r.exact = -1 THEN 0
      WHEN r.exact = 2
        AND (SELECT floating_zone FROM objects f WHERE f.id = r.object_id) IS DISTINCT FROM ${$('tag')}::text THEN 0
      WHEN NOT (r.start < ${$('end')} AND (r."end" > ${$('start')} OR (r."end" = r.start AND r.start >= ${$('start')}))) THEN -1
      WHEN r.exact > 0 THEN 1
      ELSE 0 END`;
  return `SELECT o.uri, g.decided = 1 AS decided
    FROM (SELECT r.object_id, MAX(${status}) AS decided
          FROM (${branches.join('\n UNION ALL ')}) r
          GROUP BY r.object_id) g
    JOIN objects o ON o.id = g.object_id
    WHERE g.decided >= 0`;
})();

/** Where an owner's dead properties are: the table, its key columns, the test for them ($1, $2) and the key. */
function propertyKey(owner: PropertyOwner): { table: string; columns: string; match: string; key: [number, string] } {
  return 'collectionId' in owner
    ? { table: 'properties', columns: 'collection_id, object_uri', match: 'collection_id = $1 AND object_uri = $2',
        key: [owner.collectionId, owner.objectUri] }
    : { table: 'user_properties', columns: 'user_id, resource', match: 'user_id = $1 AND resource = $2',
        key: [owner.userId, owner.resource] };
}

/** What statements run on: the pool (each statement on its own) or one client in a transaction. */
interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * Every store method, run on a Queryable. As is, a session inside a transaction: a
 * write of several statements just runs them. PostgresStore overrides `atomically` to
 * run such a write in a transaction of its own.
 */
class PgSession implements StoreSession {
  constructor(private readonly db: Queryable) {}

  protected atomically<T>(fn: (tx: PgSession) => Promise<T>): Promise<T> {
    return fn(this);
  }

  private async rows<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    return (await this.db.query<R>(sql, values)).rows;
  }

  private async row<R extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<R | undefined> {
    return (await this.rows<R>(sql, values))[0];
  }

  private async run(sql: string, values: unknown[]): Promise<number> {
    return (await this.db.query(sql, values)).rowCount ?? 0;
  }

  async countUsers(): Promise<number> {
    return (await this.rows<{ n: number }>('SELECT COUNT(*) AS n FROM users'))[0]!.n;
  }

  listUsers(): Promise<User[]> {
    return this.rows<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`);
  }

  getUser(username: string): Promise<User | undefined> {
    return this.row<User>(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username]);
  }

  async createUser(username: string, passwordHash: string, email: string | null, displayName: string | null, admin = false): Promise<User> {
    return (await this.row<User>(
      `INSERT INTO users (username, password_hash, email, display_name, created_at, admin) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${USER_COLUMNS}`,
      [username, passwordHash, email, displayName, Date.now(), admin],
    ))!;
  }

  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.run('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, passwordHash]);
  }

  async setUserDisabled(userId: number, disabled: boolean): Promise<void> {
    await this.run('UPDATE users SET disabled = $2 WHERE id = $1', [userId, disabled]);
  }

  async deleteUser(userId: number): Promise<boolean> {
    // Foreign keys cascade to everything the user owns.
    return (await this.run('DELETE FROM users WHERE id = $1', [userId])) > 0;
  }

  // --- feed links ---
  async addFeedLink(collectionId: number, token: string): Promise<FeedLink> {
    return (await this.row<FeedLink>(
      `INSERT INTO feed_links (token, collection_id, created_at) VALUES ($1, $2, $3) RETURNING ${FEED_LINK_COLUMNS}`,
      [token, collectionId, Date.now()],
    ))!;
  }

  getFeedLink(token: string): Promise<FeedLink | undefined> {
    return this.row<FeedLink>(`SELECT ${FEED_LINK_COLUMNS} FROM feed_links WHERE token = $1`, [token]);
  }

  listFeedLinks(collectionId: number): Promise<FeedLink[]> {
    return this.rows<FeedLink>(`SELECT ${FEED_LINK_COLUMNS} FROM feed_links WHERE collection_id = $1 ORDER BY id`, [collectionId]);
  }

  async removeFeedLink(collectionId: number, id: number): Promise<boolean> {
    return (await this.run('DELETE FROM feed_links WHERE collection_id = $1 AND id = $2', [collectionId, id])) > 0;
  }
  // --- end feed links ---

  getUserById(id: number): Promise<User | undefined> {
    return this.row<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const users = await this.rows<User>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1) LIMIT 2`, [email]);
    return users.length === 1 ? users[0] : undefined;
  }

  addAppPassword(userId: number, label: string, hash: string): Promise<AppPassword | undefined> {
    return this.row<AppPassword>(
      `INSERT INTO app_passwords (user_id, label, hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, label) DO NOTHING RETURNING ${APP_PASSWORD_COLUMNS}`,
      [userId, label, hash, Date.now()],
    );
  }

  listAppPasswords(userId: number): Promise<AppPassword[]> {
    return this.rows<AppPassword>(`SELECT ${APP_PASSWORD_COLUMNS} FROM app_passwords WHERE user_id = $1 ORDER BY label`, [userId]);
  }

  async removeAppPassword(userId: number, label: string): Promise<boolean> {
    return (await this.run('DELETE FROM app_passwords WHERE user_id = $1 AND label = $2', [userId, label])) > 0;
  }

  async touchAppPassword(id: number, at: number): Promise<void> {
    await this.run('UPDATE app_passwords SET last_used_at = $2 WHERE id = $1', [id, at]);
  }

  async createWebSession(idHash: string, userId: number, csrfToken: string, expiresAt: number): Promise<void> {
    await this.run(
      'INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [idHash, userId, csrfToken, Date.now(), expiresAt],
    );
  }

  getWebSession(idHash: string, now: number): Promise<WebSession | undefined> {
    return this.row<WebSession>(
      'SELECT user_id AS "userId", csrf_token AS "csrfToken", expires_at AS "expiresAt" FROM web_sessions WHERE id_hash = $1 AND expires_at > $2',
      [idHash, now],
    );
  }

  async deleteWebSession(idHash: string): Promise<void> {
    await this.run('DELETE FROM web_sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteWebSessionsOfUser(userId: number): Promise<void> {
    await this.run('DELETE FROM web_sessions WHERE user_id = $1', [userId]);
  }

  deleteExpiredWebSessions(now: number): Promise<number> {
    return this.run('DELETE FROM web_sessions WHERE expires_at <= $1', [now]);
  }

  async getSetting(name: string): Promise<string | undefined> {
    return (await this.row<{ value: string }>('SELECT value FROM settings WHERE name = $1', [name]))?.value;
  }

  async initSetting(name: string, value: string): Promise<string> {
    // Either this insert wins, or the row another node committed first is read back.
    await this.run('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.getSetting(name))!;
  }

  async saveSubscription(s: NewSubscription): Promise<{ subscription: Subscription; created: boolean }> {
    const { created, ...row } = (await this.row<SubscriptionRow & { created: boolean }>(
      `INSERT INTO subscriptions (public_id, user_id, transport, scope, collection_id, name, address, details, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (user_id, transport, scope, name) DO UPDATE SET
         address = excluded.address, details = excluded.details, expires_at = excluded.expires_at
       RETURNING ${SUBSCRIPTION_COLUMNS}, xmax = 0 AS created`,
      [s.publicId, s.userId, s.transport, scopeKey(s.scope), 'collectionId' in s.scope ? s.scope.collectionId : null,
        s.name, s.address, s.details, s.expiresAt, Date.now()],
    ))!;
    return { subscription: subscriptionOf(row), created };
  }

  async getSubscription(publicId: string): Promise<Subscription | undefined> {
    const row = await this.row<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE public_id = $1`, [publicId]);
    return row && subscriptionOf(row);
  }

  async findSubscriptions(userId: number, transport: string, name: string): Promise<Subscription[]> {
    const rows = await this.rows<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE user_id = $1 AND transport = $2 AND name = $3`, [userId, transport, name],
    );
    return rows.map(subscriptionOf);
  }

  async deleteSubscription(id: number): Promise<boolean> {
    return (await this.run('DELETE FROM subscriptions WHERE id = $1', [id])) > 0;
  }

  async subscriptionsFor(collectionId: number, ownerId: number, kind: string, now: number): Promise<Subscription[]> {
    const rows = await this.rows<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE collection_id = $1 AND expires_at > $4
       UNION ALL
       SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE user_id = $2 AND scope = $3 AND expires_at > $4`,
      [collectionId, ownerId, scopeKey({ homeKind: kind }), now],
    );
    return rows.map(subscriptionOf);
  }

  async nextMessageNumber(id: number): Promise<number | undefined> {
    return (await this.row<{ n: number }>(
      'UPDATE subscriptions SET message_number = message_number + 1 WHERE id = $1 RETURNING message_number AS n', [id],
    ))?.n;
  }

  deleteExpiredSubscriptions(now: number): Promise<number> {
    return this.run('DELETE FROM subscriptions WHERE expires_at <= $1', [now]);
  }

  listCollections(ownerId: number, kind: string): Promise<Collection[]> {
    return this.rows<Collection>(
      `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE owner_id = $1 AND kind = $2 ORDER BY uri`, [ownerId, kind],
    );
  }

  getCollection(ownerId: number, kind: string, uri: string): Promise<Collection | undefined> {
    return this.row<Collection>(
      `SELECT ${COLLECTION_COLUMNS} FROM collections WHERE owner_id = $1 AND kind = $2 AND uri = $3`, [ownerId, kind, uri],
    );
  }

  getCollectionById(id: number): Promise<Collection | undefined> {
    return this.row<Collection>(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE id = $1`, [id]);
  }

  async createCollection(ownerId: number, kind: string, uri: string, fields: CollectionFields, generator?: string): Promise<Collection | undefined> {
    const now = Date.now();
    // ON CONFLICT waits for a concurrent insert of the same URI and then does nothing.
    return this.row<Collection>(
      `INSERT INTO collections (owner_id, kind, uri, displayname, description, color, sort_order, timezone, components,
                                created_at, modified_at, generator)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)
       ON CONFLICT DO NOTHING
       RETURNING ${COLLECTION_COLUMNS}`,
      [ownerId, kind, uri, fields.displayname ?? null, fields.description ?? null, fields.color ?? null,
        fields.sortOrder ?? null, fields.timezone ?? null, fields.components ?? null, now, generator ?? null],
    );
  }

  async updateCollection(collectionId: number, fields: CollectionFields): Promise<void> {
    const set = Object.entries(fields).filter(([k, v]) => v !== undefined && Object.hasOwn(FIELD_COLUMNS, k));
    if (set.length === 0) return;
    const columns = set.map(([k], i) => `${FIELD_COLUMNS[k as keyof CollectionFields]} = $${i + 3}`).join(', ');
    await this.run(
      `UPDATE collections SET ${columns}, modified_at = $2 WHERE id = $1`,
      [collectionId, Date.now(), ...set.map(([, v]) => v)],
    );
  }

  async renameCollection(collectionId: number, uri: string): Promise<void> {
    await this.run('UPDATE collections SET uri = $2, modified_at = $3 WHERE id = $1', [collectionId, uri, Date.now()]);
  }

  async deleteCollection(collectionId: number): Promise<void> {
    await this.run('DELETE FROM collections WHERE id = $1', [collectionId]);
  }

  async lockCollection(collectionId: number): Promise<boolean> {
    return (await this.run('SELECT 1 FROM collections WHERE id = $1 FOR UPDATE', [collectionId])) > 0;
  }

  async lockNamed(name: string): Promise<void> {
    await this.run('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
  }

  listObjects(collectionId: number, from = ''): AsyncIterable<ObjectMeta[]> {
    return this.pages<ObjectMeta>(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = $1`, [collectionId], from);
  }

  iterateObjects(collectionId: number): AsyncIterable<StoredObject[]> {
    return this.pages<StoredObject>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = $1`, [collectionId]);
  }

  objectsOfComponent(collectionId: number, component: string): AsyncIterable<StoredObject[]> {
    return this.pages<StoredObject>(
      `SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = $1 AND component = $2`, [collectionId, component],
    );
  }

  /**
   * Keyset pages of `select` (whose parameters are `values`) in uri order, each page its
   * own statement: nothing stays open between pages, so a response can stream out
   * while the connection serves others.
   */
  private async *pages<T extends ObjectMeta>(select: string, values: unknown[], from = ''): AsyncGenerator<T[]> {
    const keyset = (op: string) => `${select} AND uri ${op} $${values.length + 1} ORDER BY uri LIMIT ${PAGE}`;
    const [first, next] = [keyset('>='), keyset('>')];
    let after: string | undefined;
    for (;;) {
      const page = await this.rows<T>(after === undefined ? first : next, [...values, after ?? from]);
      if (page.length > 0) yield page;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.uri;
    }
  }

  getObject(collectionId: number, uri: string): Promise<StoredObject | undefined> {
    return this.row<StoredObject>(`SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = $1 AND uri = $2`, [collectionId, uri]);
  }

  getObjectMeta(collectionId: number, uri: string): Promise<ObjectMeta | undefined> {
    return this.row<ObjectMeta>(`SELECT ${META_COLUMNS} FROM objects WHERE collection_id = $1 AND uri = $2`, [collectionId, uri]);
  }

  async findUriByUid(collectionId: number, uid: string): Promise<string | undefined> {
    return (await this.row<{ uri: string }>('SELECT uri FROM objects WHERE collection_id = $1 AND uid = $2', [collectionId, uid]))?.uri;
  }

  getObjects(collectionId: number, uris: string[]): Promise<StoredObject[]> {
    return this.rows<StoredObject>(
      `SELECT ${OBJECT_COLUMNS} FROM objects WHERE collection_id = $1 AND uri = ANY($2::text[])`, [collectionId, uris],
    );
  }

  putObject(collectionId: number, object: ObjectWrite): Promise<{ objectId: number; synctoken: number }> {
    return this.atomically(async (tx) => {
      const now = Date.now();
      // The token first: its row lock orders this collection's writers before they
      // touch any object row, so two writers of the same objects cannot deadlock.
      const synctoken = await tx.logChange(collectionId, object.uri, false, now);
      const { id } = (await tx.row<{ id: number }>(
        `INSERT INTO objects (collection_id, uri, uid, etag, component, data, size, modified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (collection_id, uri) DO UPDATE SET
           uid = excluded.uid, etag = excluded.etag, component = excluded.component, data = excluded.data,
           size = excluded.size, modified_at = excluded.modified_at
         RETURNING id`,
        [collectionId, object.uri, object.uid, object.etag, object.component, object.data, object.data.length, now],
      ))!;
      return { objectId: id, synctoken };
    });
  }

  deleteObject(collectionId: number, uri: string): Promise<number> {
    return this.atomically(async (tx) => {
      const synctoken = await tx.logChange(collectionId, uri, true, Date.now());
      await tx.run('DELETE FROM objects WHERE collection_id = $1 AND uri = $2', [collectionId, uri]);
      await tx.run('DELETE FROM properties WHERE collection_id = $1 AND object_uri = $2', [collectionId, uri]);
      return synctoken;
    });
  }

  /**
   * The one place the sync token is bumped, always together with its change row. The
   * UPDATE's row lock holds off the collection's other writers until commit, so
   * tokens are committed in order.
   */
  private async logChange(collectionId: number, uri: string, deleted: boolean, now: number): Promise<number> {
    const row = await this.row<{ synctoken: number }>(
      `WITH bump AS (
         UPDATE collections SET synctoken = synctoken + 1, modified_at = $2 WHERE id = $1 RETURNING synctoken)
       INSERT INTO changes (collection_id, synctoken, uri, deleted, changed_at) SELECT $1, synctoken, $3, $4, $2 FROM bump
       RETURNING synctoken`,
      [collectionId, now, uri, deleted],
    );
    if (!row) throw new Error(`collection ${collectionId} does not exist`);
    return row.synctoken;
  }

  async changesSince(collectionId: number, since: number): Promise<Change[] | undefined> {
    const changes = await this.rows<Change>(
      `SELECT uri, deleted, synctoken, changed_at AS "changedAt" FROM changes
       WHERE collection_id = $1 AND synctoken > $2 ORDER BY synctoken`,
      [collectionId, since],
    );
    // Read after the rows: a prune in between only removes rows at or before the mark it sets.
    const mark = await this.row<{ prunedThrough: number }>('SELECT pruned_through AS "prunedThrough" FROM collections WHERE id = $1', [collectionId]);
    return since < (mark?.prunedThrough ?? 0) ? undefined : changes;
  }

  pruneChanges(before: number): Promise<number> {
    return this.atomically(async (tx) => {
      await tx.run(
        `UPDATE collections SET pruned_through = pruned.token
         FROM (SELECT collection_id, MAX(synctoken) AS token FROM changes WHERE changed_at < $1 GROUP BY collection_id) pruned
         WHERE collections.id = pruned.collection_id`,
        [before],
      );
      return tx.run('DELETE FROM changes WHERE changed_at < $1', [before]);
    });
  }

  getDeadProperties(owner: PropertyOwner): Promise<DeadProperty[]> {
    const { table, match, key } = propertyKey(owner);
    return this.rows<DeadProperty>(`SELECT namespace, name, xml FROM ${table} WHERE ${match}`, key);
  }

  async setDeadProperty(owner: PropertyOwner, prop: DeadProperty): Promise<void> {
    const { table, columns, key } = propertyKey(owner);
    await this.run(
      `INSERT INTO ${table} (${columns}, namespace, name, xml) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (${columns}, namespace, name) DO UPDATE SET xml = excluded.xml`,
      [...key, prop.namespace, prop.name, prop.xml],
    );
  }

  async removeDeadProperty(owner: PropertyOwner, namespace: string, name: string): Promise<void> {
    const { table, match, key } = propertyKey(owner);
    await this.run(`DELETE FROM ${table} WHERE ${match} AND namespace = $3 AND name = $4`, [...key, namespace, name]);
  }

  replaceIntervals(collectionId: number, component: string, objectId: number, set: IntervalSet): Promise<void> {
    const rows = intervalRows(set);
    return this.atomically(async (tx) => {
      await tx.run('DELETE FROM time_index WHERE object_id = $1', [objectId]);
      // One statement for all rows (up to thousands for a long series), as parallel arrays.
      await tx.run(
        `INSERT INTO time_index (collection_id, component, level, start, "end", object_id, exact)
         SELECT $1, $2, r.level, r.start, r."end", $3, r.exact
         FROM unnest($4::int[], $5::bigint[], $6::bigint[], $7::int[]) AS r(level, start, "end", exact)`,
        [collectionId, component, objectId,
          rows.map((r) => r.level), rows.map((r) => r.start), rows.map((r) => r.end), rows.map((r) => r.exact)],
      );
      await tx.run(
        'UPDATE objects SET time_index_until = $2, floating_zone = $3 WHERE id = $1', [objectId, set.completeUntil, set.tag],
      );
    });
  }

  async overlapping(query: IntervalQuery): Promise<IntervalMatch[]> {
    // The bounds last: their start and end stand for the query's nullable ones.
    const params: Record<OverlapParam, unknown> = { ...query, ...queryBounds(query) };
    return byUri(await this.rows<IntervalMatch>(OVERLAPPING_SQL, OVERLAP_PARAMS.map((p) => params[p])));
  }

  async enqueue(job: NewJob): Promise<boolean> {
    // Merged into a waiting job, the no-op update still locks that job until this
    // transaction ends, so no node claims it (claimJobs skips locked rows) and delivers
    // before the change it now also announces is committed. The NOTIFY in the same
    // statement goes out at commit, to every node, and not at all on rollback; a
    // transaction's identical notifications are sent once.
    const row = await this.row<{ inserted: boolean }>(
      `WITH added AS (
         INSERT INTO jobs (queue, key, payload, run_at, created_at) VALUES ($1, $2, $3, COALESCE($4, ${DB_NOW}), ${DB_NOW})
         ${WAITING_KEY} DO UPDATE SET key = excluded.key
         RETURNING queue, xmax = 0 AS inserted)
       SELECT pg_notify('${JOBS_CHANNEL}', queue), inserted FROM added`,
      [job.queue, job.key ?? null, job.payload, job.runAt ?? null],
    );
    return row?.inserted ?? false;
  }

  claimJobs(queue: string, limit: number, leaseMs: number): Promise<Job[]> {
    // SKIP LOCKED passes over the rows another node is claiming right now; a row whose
    // claim committed after this statement began is checked again, found claimed and
    // left out. MATERIALIZED: the locking SELECT runs exactly once.
    return this.rows<Job>(
      `WITH due AS MATERIALIZED (
         SELECT id FROM jobs
         WHERE queue = $1 AND run_at <= ${DB_NOW} AND (locked_until IS NULL OR locked_until <= ${DB_NOW})
         ORDER BY run_at, id LIMIT $2
         FOR UPDATE SKIP LOCKED)
       UPDATE jobs SET locked_until = ${DB_NOW} + $3, attempts = attempts + 1 FROM due WHERE jobs.id = due.id
       RETURNING jobs.id, queue, key, payload, attempts`,
      [queue, limit, leaseMs],
    );
  }

  async completeJob(job: Job): Promise<boolean> {
    return (await this.run('DELETE FROM jobs WHERE id = $1 AND attempts = $2', [job.id, job.attempts])) > 0;
  }

  retryJob(job: Job, runAt: number): Promise<boolean> {
    // Deleted and inserted again, not updated: a job with the same key added while this
    // one was claimed would make two waiting; the insert merges into that one instead
    // (and waits for an uncommitted one rather than failing).
    return this.atomically(async (tx) => {
      const taken = await tx.row<{ queue: string; key: string | null; payload: string; created_at: number }>(
        'DELETE FROM jobs WHERE id = $1 AND attempts = $2 RETURNING queue, key, payload, created_at', [job.id, job.attempts],
      );
      if (!taken) return false;
      await tx.run(
        `INSERT INTO jobs (id, queue, key, payload, run_at, attempts, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ${WAITING_KEY} DO UPDATE SET
           run_at = GREATEST(jobs.run_at, excluded.run_at), attempts = GREATEST(jobs.attempts, excluded.attempts)`,
        [job.id, taken.queue, taken.key, taken.payload, runAt, job.attempts, taken.created_at],
      );
      return true;
    });
  }
}

export class PostgresStore extends PgSession implements Store {
  readonly engine = 'postgres';
  private readonly jobListener: JobListener;

  private constructor(private readonly pool: pg.Pool, url: string) {
    super(pool);
    this.jobListener = new JobListener(url);
  }

  /** Connects a pool of up to `poolSize` connections and brings the schema up to date. */
  static async open(url: string, options: { poolSize: number }): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize, types: TYPES });
    // An idle connection that drops (a database restart) is only replaced; without a
    // listener the pool's 'error' event would crash the process. Statements that fail
    // report it themselves.
    let warned = false;
    pool.on('error', (err) => {
      if (!warned) console.warn(`PostgreSQL connection lost (${err.message}); reconnecting on demand`);
      warned = true;
    });
    try {
      await migrate(pool, MIGRATIONS_DIR);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool, url);
  }

  /**
   * Writes that lock collections of two users (a meeting between them) can lock in
   * opposite orders; PostgreSQL then aborts one of them as a deadlock. That one is run
   * again from the start, as nothing of it was committed.
   */
  async transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.atomically(fn);
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  protected override async atomically<T>(fn: (tx: PgSession) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out connection that drops emits 'error' too; the statements report it.
    const ignore = () => {};
    client.on('error', ignore);
    let open = true;
    let broken = false;
    // A session kept past the end (an iterable read later) must fail, not run on a
    // connection that is back in the pool and maybe in another transaction.
    const session = new PgSession({
      query: (text, values) => (open ? client.query(text, values) : Promise.reject(new Error('transaction has ended'))),
    });
    try {
      await client.query('BEGIN');
      const result = await fn(session);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A failed ROLLBACK means a dead connection: it is dropped rather than reused.
      await client.query('ROLLBACK').catch(() => { broken = true; });
      throw err;
    } finally {
      open = false;
      client.off('error', ignore);
      client.release(broken);
    }
  }

  // --- operations (OperationsStore) ---
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async countObjects(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM objects')).rows[0]!.n;
  }

  async countJobs(): Promise<Record<string, number>> {
    const { rows } = await this.pool.query<{ queue: string; n: number }>('SELECT queue, COUNT(*) AS n FROM jobs GROUP BY queue');
    return Object.fromEntries(rows.map((r) => [r.queue, r.n]));
  }
  // --- end operations ---

  onJobs(queue: string, listener: () => void): () => void {
    return this.jobListener.on(queue, listener);
  }

  async close(): Promise<void> {
    await this.jobListener.close();
    if (!this.pool.ending) await this.pool.end();
  }

  /** The pool, for raw table copies between engines (copy.ts). */
  get connections(): pg.Pool {
    return this.pool;
  }
}
