import type { CollectionChange } from './changes.js';
import type { DavContext } from './context.js';
import { DavError } from './errors.js';
import { etagOf } from './etag.js';
import type { ValidatedObject } from './kinds.js';
import { hrefEl } from './multistatus.js';
import { objectPath } from './paths.js';
import type { DavRequest } from './request.js';
import type { CollectionResource } from './resource.js';
import { qname } from './xml/names.js';
import type { ObjectMeta, StoreSession } from '../store/types.js';

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
}

/**
 * Stores a validated object under `uri` in one transaction: with the collection locked
 * against other writers, `check` sees the current member (for ETag preconditions), a
 * UID that another member already has is refused, then the object, its change row,
 * the kind's own rows (afterWrite) and the change listeners' records are written.
 * Returns the new ETag.
 */
export function storeObject(
  context: DavContext,
  collection: CollectionResource,
  uri: string,
  data: Buffer,
  validated: ValidatedObject,
  options: MemberWriteOptions = {},
): Promise<{ created: boolean; etag: string }> {
  const id = collection.collection.id;
  if (Buffer.byteLength(validated.uid) > MAX_UID_BYTES) {
    // max-resource-size: the one size precondition CalDAV and CardDAV share (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1).
    throw new DavError(403, `The UID is longer than ${MAX_UID_BYTES} bytes`, qname(collection.kind.preconditionNs, 'max-resource-size'));
  }
  return context.store.transaction(async (tx) => {
    if (!(await tx.lockCollection(id))) throw new DavError(409, 'The collection no longer exists');
    const current = await tx.getObjectMeta(id, uri);
    options.check?.(current);
    await checkUidFree(tx, collection, validated.uid, [uri]);
    const etag = etagOf(data);
    const { objectId } = await tx.putObject(id, { uri, data, etag, uid: validated.uid, component: validated.component });
    await validated.afterWrite?.(tx, id, objectId);
    await context.changed(tx, { collection: collection.collection, what: 'member', origin: options.origin });
    return { created: !current, etag };
  });
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

/** Deletes the member `uri` in one transaction, `check` seeing it under the lock; 404 when it is gone. */
export function removeObject(
  context: DavContext,
  collection: CollectionResource,
  uri: string,
  options: MemberWriteOptions = {},
): Promise<void> {
  const { id } = collection.collection;
  return context.store.transaction(async (tx) => {
    if (!(await tx.lockCollection(id))) throw new DavError(404, 'Not found');
    const current = await tx.getObjectMeta(id, uri);
    if (!current) throw new DavError(404, 'Not found');
    options.check?.(current);
    await tx.deleteObject(id, uri);
    await context.changed(tx, { collection: collection.collection, what: 'member', origin: options.origin });
  });
}
