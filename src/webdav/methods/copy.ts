import type { MethodDef } from '../dav.js';
import type { ObjectResource } from '../resource.js';
import type { ExistingTarget } from '../target.js';
import { destinationOf, transferObject } from '../transfer.js';

/** COPY (RFC 4918 §9.8) of a calendar object or a card into one of the user's collections. */
export const copy: MethodDef<ExistingTarget<ObjectResource>> = {
  name: 'COPY',
  allows: (t): t is ExistingTarget<ObjectResource> => t.resource?.type === 'object',
  async handle(req, target) {
    const destination = await destinationOf(req, target.path);
    const created = await transferObject(req, target.resource, destination, false);
    req.respond(created ? 201 : 204);
  },
};
