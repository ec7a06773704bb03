import { randomUUID } from 'node:crypto';
import type { MethodDef, XmlPostDef } from '../dav.js';
import { DavError } from '../errors.js';
import { readObjectBody, storeObject } from '../object-write.js';
import { objectPath } from '../paths.js';
import type { DavRequest } from '../request.js';
import type { CollectionResource, Resource } from '../resource.js';
import type { ExistingTarget } from '../target.js';

/** The media types of an XML body (RFC 7303); an object's own XML type (xCal, …) is not one of them. */
const XML_MEDIA_TYPES = new Set(['application/xml', 'text/xml']);

function hasXmlBody(req: DavRequest): boolean {
  const mediaType = (req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  return XML_MEDIA_TYPES.has(mediaType);
}

/**
 * POST: an XML body whose root element a protocol layer claimed (XmlPostDef) goes to
 * that handler, on whatever resources it applies to; anything else posted to a
 * collection is RFC 5995 add-member (the add-member property points clients here).
 */
export function post(xmlPosts: readonly XmlPostDef[]): MethodDef<ExistingTarget> {
  const claimed = (r: Resource) => xmlPosts.some((p) => p.appliesTo(r));
  return {
    name: 'POST',
    allows: (t): t is ExistingTarget => t.resource !== undefined && (t.resource.type === 'collection' || claimed(t.resource)),
    async handle(req, target) {
      const resource = target.resource;
      const body = hasXmlBody(req) ? await req.readXml() : undefined;
      const def = body && xmlPosts.find((p) => p.name === body.name && p.appliesTo(resource));
      if (def) return def.handle(req, resource, body);
      if (resource.type !== 'collection') {
        const accepted = xmlPosts.filter((p) => p.appliesTo(resource)).map((p) => p.name);
        throw new DavError(415, `POST here takes an XML body with one of these root elements: ${accepted.join(', ')}`);
      }
      await addMember(req, resource);
    },
  };
}

/** RFC 5995 add-member: creates a member whose name the server picks. */
async function addMember(req: DavRequest, collection: CollectionResource): Promise<void> {
  const { kind } = collection;
  const sent = await readObjectBody(req, collection);
  const data = kind.ensureUid ? kind.ensureUid(sent) : sent;
  const validated = kind.validateObject(data, collection.collection, req.header('Content-Type'));
  const uri = `${randomUUID()}${kind.objectExtension}`;
  const { etag } = await storeObject(req.context, collection, uri, data, validated, { origin: req });
  req.setHeader('Location', objectPath(collection.path, uri));
  req.setHeader('ETag', etag);
  req.respond(201);
}
