import type { MethodDef } from '../dav.js';
import type { CollectionResource, ObjectResource } from '../resource.js';
import type { ExistingTarget } from '../target.js';
import { destinationOf, renameCollection, transferObject } from '../transfer.js';

type Movable = ExistingTarget<ObjectResource | CollectionResource>;

/** MOVE (RFC 4918 §9.9): a member to another of the user's collections, or a collection to another name in its home. */
export const move: MethodDef<Movable> = {
  name: 'MOVE',
  allows: (t): t is Movable => t.resource?.type === 'object' || t.resource?.type === 'collection',
  async handle(req, target) {
    const destination = await destinationOf(req, target.path);
    const r = target.resource;
    const created = r.type === 'object' ? await transferObject(req, r, destination, true) : await renameCollection(req, r, destination);
    req.respond(created ? 201 : 204);
  },
};
