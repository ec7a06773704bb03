import { checkPreconditions } from '../conditional.js';
import { deleteCollection } from '../collection-delete.js';
import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { removeObject } from '../object-write.js';
import type { CollectionResource, ObjectResource } from '../resource.js';
import type { ExistingTarget } from '../target.js';

type Deletable = ExistingTarget<ObjectResource | CollectionResource>;

export const del: MethodDef<Deletable> = {
  name: 'DELETE',
  allows: (t): t is Deletable => t.resource?.type === 'object' || t.resource?.type === 'collection',
  async handle(req, target) {
    const r = target.resource;
    if (r.type === 'object') {
      const collection: CollectionResource = { type: 'collection', path: target.parent!.path, owner: r.owner, kind: r.kind, collection: r.collection };
      // The precondition is checked against the state the delete commits over.
      await removeObject(req.context, collection, r.object.uri, { check: (current) => checkPreconditions(req, current?.etag), origin: req });
    } else {
      if (r.kind.specialUri) throw new DavError(403, 'This collection belongs to the server and cannot be deleted');
      await req.store.transaction((tx) => deleteCollection(tx, req.context, r.collection, req));
    }
    req.respond(204);
  },
};
