import { checkPreconditions } from '../conditional.js';
import type { MethodDef } from '../dav.js';

export const del: MethodDef = {
  name: 'DELETE',
  allows: (t) => t.resource?.type === 'object' || t.resource?.type === 'collection',
  handle(req, target) {
    const r = target.resource!;
    if (r.type === 'object') {
      checkPreconditions(req, r.object.etag);
      req.store.deleteObject(r.collection.id, r.object.uri);
    } else if (r.type === 'collection') {
      req.store.deleteCollection(r.collection.id);
    }
    req.respond(204);
  },
};
