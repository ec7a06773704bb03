import { checkPreconditions } from '../conditional.js';
import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import type { CollectionResource, ObjectResource } from '../resource.js';
import type { ExistingTarget } from '../target.js';

type Deletable = ExistingTarget<ObjectResource | CollectionResource>;

export const del: MethodDef<Deletable> = {
  name: 'DELETE',
  allows: (t): t is Deletable => t.resource?.type === 'object' || t.resource?.type === 'collection',
  async handle(req, target) {
    const r = target.resource;
    if (r.type === 'object') {
      const { id } = r.collection;
      // The precondition is checked against the state the delete commits over.
      await req.store.transaction(async (tx) => {
        if (!(await tx.lockCollection(id))) throw new DavError(404, 'Not found');
        const current = await tx.getObjectMeta(id, r.object.uri);
        if (!current) throw new DavError(404, 'Not found');
        checkPreconditions(req, current.etag);
        await tx.deleteObject(id, r.object.uri);
      });
    } else {
      await req.store.deleteCollection(r.collection.id);
    }
    req.respond(204);
  },
};
