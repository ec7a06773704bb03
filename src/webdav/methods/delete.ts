import { checkPreconditions } from '../conditional.js';
import type { MethodDef } from '../dav.js';
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
      await req.store.transaction(async (tx) => {
        await req.context.changed(tx, { collection: r.collection, what: 'collection', origin: req });
        await tx.deleteCollection(r.collection.id);
      });
    }
    req.respond(204);
  },
};
