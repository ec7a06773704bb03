import { checkPreconditions } from '../conditional.js';
import type { MethodDef } from '../dav.js';
import { readObjectBody, setStoredHeaders, storeObject } from '../object-write.js';
import type { MemberTarget } from '../target.js';

export const put: MethodDef<MemberTarget> = {
  name: 'PUT',
  creates: true,
  allows: (t): t is MemberTarget => t.parent?.type === 'collection' && (t.resource === undefined || t.resource.type === 'object'),
  async handle(req, target) {
    const collection = target.parent;
    const data = await readObjectBody(req, collection);
    const validated = collection.kind.validateObject(data, collection.collection, req.header('Content-Type'));
    const uri = target.resource ? target.resource.object.uri : target.name;
    const stored = await storeObject(req.context, collection, uri, data, validated, {
      check: (current) => checkPreconditions(req, current?.etag),
      origin: req,
    });
    setStoredHeaders(req, stored);
    req.respond(stored.created ? 201 : 204);
  },
};
