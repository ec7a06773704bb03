import { DavError } from './errors.js';
import { etagOf } from './etag.js';
import type { ValidatedObject } from './kinds.js';
import { hrefEl } from './multistatus.js';
import { objectPath } from './paths.js';
import type { DavRequest } from './request.js';
import type { CollectionResource } from './resource.js';
import { qname } from './xml/names.js';

/** Reads a PUT/POST body, refusing one over max-resource-size with the protocol's precondition. */
export function readObjectBody(req: DavRequest, collection: CollectionResource): Promise<Buffer> {
  const limit = req.dav.limits.maxResourceBytes;
  return req.readBody(limit, () =>
    new DavError(413, `The resource is larger than the maximum of ${limit} bytes`, qname(collection.kind.preconditionNs, 'max-resource-size')),
  );
}

/**
 * Stores a validated object under `uri`, refusing a UID that another member already
 * has. Synchronous, so it runs atomically with the caller's precondition checks.
 * Returns the new ETag.
 */
export function storeObject(
  req: DavRequest,
  collection: CollectionResource,
  uri: string,
  data: Buffer,
  validated: ValidatedObject,
): string {
  const { store } = req;
  const id = collection.collection.id;
  const holder = store.findUriByUid(id, validated.uid);
  if (holder !== undefined && holder !== uri) {
    throw new DavError(
      409,
      `UID ${validated.uid} is already used by ${holder} in this collection`,
      qname(collection.kind.preconditionNs, 'no-uid-conflict'),
      hrefEl(objectPath(collection.path, holder)),
    );
  }
  const etag = etagOf(data);
  store.putObject(id, { uri, data, etag, ...validated });
  return etag;
}
