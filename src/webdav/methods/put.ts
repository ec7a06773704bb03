import { checkPreconditions } from '../conditional.js';
import type { MethodDef } from '../dav.js';
import { readObjectBody, storeObject } from '../object-write.js';

export const put: MethodDef = {
  name: 'PUT',
  creates: true,
  allows: (t) => t.parent?.type === 'collection' && (t.resource === undefined || t.resource.type === 'object'),
  async handle(req, target) {
    const collection = target.parent as Extract<typeof target.parent, { type: 'collection' }>;
    const data = await readObjectBody(req, collection);
    const validated = collection.kind.validateObject(data, collection.collection, req.header('Content-Type'));
    const uri = target.resource?.type === 'object' ? target.resource.object.uri : target.name;
    const { created, etag } = await storeObject(req, collection, uri, data, validated, (current) => checkPreconditions(req, current?.etag));
    req.setHeader('ETag', etag);
    req.respond(created ? 201 : 204);
  },
};
