import { randomUUID } from 'node:crypto';
import type { MethodDef } from '../dav.js';
import { readObjectBody, storeObject } from '../object-write.js';
import { objectPath } from '../paths.js';
import type { CollectionResource } from '../resource.js';
import type { ExistingTarget } from '../target.js';

/**
 * RFC 5995 add-member: POST to a collection creates a member whose name the server
 * picks. The add-member property points clients here.
 */
export const post: MethodDef<ExistingTarget<CollectionResource>> = {
  name: 'POST',
  allows: (t): t is ExistingTarget<CollectionResource> => t.resource?.type === 'collection',
  async handle(req, target) {
    const collection = target.resource;
    const { kind } = collection;
    const sent = await readObjectBody(req, collection);
    const data = kind.ensureUid ? kind.ensureUid(sent) : sent;
    const validated = kind.validateObject(data, collection.collection, req.header('Content-Type'));
    const uri = `${randomUUID()}${kind.objectExtension}`;
    const { etag } = await storeObject(req.context, collection, uri, data, validated, { origin: req });
    req.setHeader('Location', objectPath(collection.path, uri));
    req.setHeader('ETag', etag);
    req.respond(201);
  },
};
