import type { CollectionChange } from './changes.js';
import type { DavContext } from './context.js';
import { DavError } from './errors.js';
import { etagOf } from './etag.js';
import { refuseGeneratedWrite, type WritePrivilege } from './generated-collections.js';
import type { ValidatedObject } from './kinds.js';
import type { MemberHook } from './member-hooks.js';
import { hrefEl } from './multistatus.js';
import { objectPath } from './paths.js';
import type { DavRequest } from './request.js';
import type { CollectionResource } from './resource.js';
import { qname } from './xml/names.js';
import type { ObjectMeta, StoredObject, StoreSession } from '../store/types.js';

/** Reads a PUT/POST body, refusing one over max-resource-size with the protocol's precondition. */
export function readObjectBody(req: DavRequest, collection: CollectionResource): Promise<Buffer> {
  const limit = req.context.limits.maxResourceBytes;
  return req.readBody(limit, () =>
    new DavError(413, `The resource is larger than the maximum of ${limit} bytes`, qname(collection.kind.preconditionNs, 'max-resource-size')),
  );
}

/**
 * The longest UID stored. A UID is a unique-index key, and PostgreSQL's btree takes at
 * most about 2.7 KB a row; real UIDs are well under 300 bytes.
 */
const MAX_UID_BYTES = 1024;

/** What a write of a member may be given besides the data: shared by WebDAV and the JSON API. */
export interface MemberWriteOptions {
  /** Sees the current member under the collection's lock (ETag preconditions); throws to refuse. */
  check?: (current: ObjectMeta | undefined) => void;
  /** The request that asks for it, told to change listeners. */
  origin?: CollectionChange['origin'];
  /** A client's write (not one the server makes itself): the kind's member hooks see it (member-hooks.ts). */
  byClient?: boolean;
}

/** What a write stored. */
export interface StoredMember {
  created: boolean;
  etag: string;
  /** A member hook stored other data than was sent (RFC 4791 §5.3.4: then no ETag is returned). */
  rewritten: boolean;
  /** Response headers the member hooks give (Schedule-Tag). */
  headers: Record<string, string>;
}

/** A client write's response headers: the ETag unless other data than was sent is stored, and the hooks' own. */
export function setStoredHeaders(req: DavRequest, stored: StoredMember): void {
  if (!stored.rewritten) req.setHeader('ETag', stored.etag);
  for (const [name, value] of Object.entries(stored.headers)) req.setHeader(name, value);
}

/** The member hooks that see a write: only a client's, and only when its kind has any. */
function hooksFor(context: DavContext, collection: CollectionResource, options: MemberWriteOptions): readonly MemberHook[] {
  return options.byClient && context.memberHooks.length ? context.memberHooks.filter((h) => h.kind === collection.kind) : [];
}

/** A client's write: hooks run, and a generated collection refuses it (naming the privilege it lacks) before the caller's own check. */
function asClient(
  collection: CollectionResource,
  uri: string,
  options: MemberWriteOptions,
  privilege: (current: ObjectMeta | undefined) => WritePrivilege,
): MemberWriteOptions {
  const check = (current: ObjectMeta | undefined) => {
    refuseGeneratedWrite(collection.collection, objectPath(collection.path, uri), privilege(current));
    options.check?.(current);
  };
  return { ...options, check, byClient: true };
}

/** Takes the locks the hooks ask for, before the write locks its collection. */
async function lockForHooks(tx: StoreSession, hooks: readonly MemberHook[], data: Buffer): Promise<void> {
  for (const hook of hooks) {
    const name = hook.lockFor?.(data);
    if (name) await tx.lockNamed(name);
  }
}

/**
 * Stores a validated object under `uri` in one transaction (writeMember), for a client:
 * a generated collection's members are refused (generated-collections.ts).
 * Returns the new ETag.
 */
export function storeObject(
  context: DavContext,
  collection: CollectionResource,
  uri: string,
  data: Buffer,
  validated: ValidatedObject,
  options: MemberWriteOptions = {},
): Promise<StoredMember> {
  const client = asClient(collection, uri, options, (current) => (current ? 'write-content' : 'bind'));
  return context.store.transaction((tx) => writeMember(tx, context, collection, uri, data, validated, client));
}

/**
 * Stores a validated object under `uri` in the caller's transaction: with the collection
 * locked against other writers, `check` sees the current member (for ETag
 * preconditions), a UID that another member already has is refused, then the object,
 * its change row, the kind's own rows (afterWrite) and the change listeners' records
 * are written. Whoever generates a collection's members writes them this way.
 */
export async function writeMember(
  tx: StoreSession,
  context: DavContext,
  collection: CollectionResource,
  uri: string,
  data: Buffer,
  validated: ValidatedObject,
  options: MemberWriteOptions = {},
): Promise<StoredMember> {
  const id = collection.collection.id;
  if (Buffer.byteLength(validated.uid) > MAX_UID_BYTES) {
    // max-resource-size: the one size precondition CalDAV and CardDAV share (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1).
    throw new DavError(403, `The UID is longer than ${MAX_UID_BYTES} bytes`, qname(collection.kind.preconditionNs, 'max-resource-size'));
  }
  const hooks = hooksFor(context, collection, options);
  await lockForHooks(tx, hooks, data);
  if (!(await tx.lockCollection(id))) throw new DavError(409, 'The collection no longer exists');
  // A hook sees the data it replaces; without hooks the write reads no more than the meta.
  const current: ObjectMeta | undefined = hooks.length ? await tx.getObject(id, uri) : await tx.getObjectMeta(id, uri);
  options.check?.(current);
  await checkUidFree(tx, collection, validated.uid, [uri]);
  let stored = data;
  const headers: Record<string, string> = {};
  for (const hook of hooks) {
    const outcome = await hook.beforeWrite(tx, { context, collection, uri, current: current as StoredObject | undefined, data: stored, origin: options.origin });
    if (outcome?.data) stored = outcome.data;
    Object.assign(headers, outcome?.headers);
  }
  const etag = etagOf(stored);
  const { objectId } = await tx.putObject(id, { uri, data: stored, etag, uid: validated.uid, component: validated.component });
  await validated.afterWrite?.(tx, id, objectId);
  await context.changed(tx, { collection: collection.collection, what: 'member', members: [uri], origin: options.origin });
  return { created: !current, etag, rewritten: stored !== data && !stored.equals(data), headers };
}

/**
 * Refuses a UID that a member other than those at `mayHold` already has (RFC 4791
 * §5.3.2.1, RFC 6352 §6.3.2.1 no-uid-conflict), naming that member. Under the
 * collection's lock, so the answer holds until commit.
 */
export async function checkUidFree(tx: StoreSession, collection: CollectionResource, uid: string, mayHold: string[]): Promise<void> {
  const holder = await tx.findUriByUid(collection.collection.id, uid);
  if (holder !== undefined && !mayHold.includes(holder)) {
    throw new DavError(
      409,
      `UID ${uid} is already used by ${holder} in this collection`,
      qname(collection.kind.preconditionNs, 'no-uid-conflict'),
      hrefEl(objectPath(collection.path, holder)),
    );
  }
}

/** Deletes the member `uri` in one transaction (deleteMember), for a client: a generated collection's members are refused. */
export function removeObject(
  context: DavContext,
  collection: CollectionResource,
  uri: string,
  options: MemberWriteOptions = {},
): Promise<void> {
  return context.store.transaction((tx) => deleteMember(tx, context, collection, uri, asClient(collection, uri, options, () => 'unbind')));
}

/** Deletes the member `uri` in the caller's transaction, `check` seeing it under the lock; 404 when it is gone. */
export async function deleteMember(
  tx: StoreSession,
  context: DavContext,
  collection: CollectionResource,
  uri: string,
  options: MemberWriteOptions = {},
): Promise<void> {
  const { id } = collection.collection;
  const hooks = hooksFor(context, collection, options);
  if (hooks.some((h) => h.lockFor)) {
    // Read before the lock: a member replaced meanwhile only risks a deadlock, which the store retries.
    const deleting = await tx.getObject(id, uri);
    if (deleting) await lockForHooks(tx, hooks, deleting.data);
  }
  if (!(await tx.lockCollection(id))) throw new DavError(404, 'Not found');
  const current: ObjectMeta | undefined = hooks.length ? await tx.getObject(id, uri) : await tx.getObjectMeta(id, uri);
  if (!current) throw new DavError(404, 'Not found');
  options.check?.(current);
  for (const hook of hooks) await hook.beforeWrite(tx, { context, collection, uri, current: current as StoredObject, data: undefined, origin: options.origin });
  await tx.deleteObject(id, uri);
  await context.changed(tx, { collection: collection.collection, what: 'member', members: [uri], origin: options.origin });
}

/**
 * Deletes many members in the caller's transaction, with one lock and one notice to the
 * change listeners: how a generator clears what it made (a deleted address book's
 * birthdays). Members already gone are passed over.
 */
export async function deleteMembers(tx: StoreSession, context: DavContext, collection: CollectionResource, uris: readonly string[]): Promise<void> {
  const { id } = collection.collection;
  if (uris.length === 0 || !(await tx.lockCollection(id))) return;
  const deleted: string[] = [];
  for (const uri of uris) {
    if (!(await tx.getObjectMeta(id, uri))) continue;
    await tx.deleteObject(id, uri);
    deleted.push(uri);
  }
  if (deleted.length > 0) await context.changed(tx, { collection: collection.collection, what: 'member', members: deleted });
}
