import { DavError } from './errors.js';
import { etagOf } from './etag.js';
import type { ValidatedObject } from './kinds.js';
import { hrefEl } from './multistatus.js';
import { objectPath } from './paths.js';
import type { DavRequest } from './request.js';
import type { CollectionResource } from './resource.js';
import { qname } from './xml/names.js';
import type { ObjectMeta } from '../store/types.js';

/** Reads a PUT/POST body, refusing one over max-resource-size with the protocol's precondition. */
export function readObjectBody(req: DavRequest, collection: CollectionResource): Promise<Buffer> {
  const limit = req.context.limits.maxResourceBytes;
  return req.readBody(limit, () =>
    new DavError(413, `The resource is larger than the maximum of ${limit} bytes`, qname(collection.kind.preconditionNs, 'max-resource-size')),
  );
}

/**
 * Stores a validated object under `uri` in one transaction: with the collection locked
 * against other writers, `check` sees the current member (for ETag preconditions), a
 * UID that another member already has is refused, then the object, its change row and
 * the kind's own rows (afterWrite) are written. Returns the new ETag.
 */
export function storeObject(
  req: DavRequest,
  collection: CollectionResource,
  uri: string,
  data: Buffer,
  validated: ValidatedObject,
  check: (current: ObjectMeta | undefined) => void = () => {},
): Promise<{ created: boolean; etag: string }> {
  const id = collection.collection.id;
  return req.store.transaction(async (tx) => {
    if (!(await tx.lockCollection(id))) throw new DavError(409, 'The collection no longer exists');
    const current = await tx.getObjectMeta(id, uri);
    check(current);
    const holder = await tx.findUriByUid(id, validated.uid);
    if (holder !== undefined && holder !== uri) {
      throw new DavError(
        409,
        `UID ${validated.uid} is already used by ${holder} in this collection`,
        qname(collection.kind.preconditionNs, 'no-uid-conflict'),
        hrefEl(objectPath(collection.path, holder)),
      );
    }
    const etag = etagOf(data);
    const { objectId } = await tx.putObject(id, { uri, data, etag, uid: validated.uid, component: validated.component });
    await validated.afterWrite?.(tx, id, objectId);
    return { created: !current, etag };
  });
}
