import { randomUUID } from 'node:crypto';
import type { MediaPostDef, MethodDef, XmlPostDef } from '../dav.js';
import { DavError } from '../errors.js';
import { readObjectBody, setStoredHeaders, storeObject } from '../object-write.js';
import { objectPath } from '../paths.js';
import type { DavRequest } from '../request.js';
import type { CollectionResource, Resource } from '../resource.js';
import type { ExistingTarget } from '../target.js';

/** The media types of an XML body (RFC 7303); an object's own XML type (xCal, …) is not one of them. */
const XML_MEDIA_TYPES = new Set(['application/xml', 'text/xml']);

/** The body's media type, lower case without parameters. */
function mediaTypeOf(req: DavRequest): string {
  return (req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * POST: a body of a media type a protocol layer takes here (MediaPostDef) goes to that
 * handler; an XML body whose root element a protocol layer claimed (XmlPostDef) goes to
 * that handler, on whatever resources it applies to; anything else posted to a
 * collection no MediaPostDef claims is RFC 5995 add-member (the add-member property
 * points clients here).
 */
export function post(xmlPosts: readonly XmlPostDef[], mediaPosts: readonly MediaPostDef[]): MethodDef<ExistingTarget> {
  const claimed = (r: Resource) => xmlPosts.some((p) => p.appliesTo(r)) || mediaPosts.some((p) => p.appliesTo(r));
  return {
    name: 'POST',
    allows: (t): t is ExistingTarget => t.resource !== undefined && (t.resource.type === 'collection' || claimed(t.resource)),
    async handle(req, target) {
      const resource = target.resource;
      const mediaType = mediaTypeOf(req);
      const media = mediaPosts.find((p) => p.appliesTo(resource) && p.mediaTypes.includes(mediaType));
      if (media) return media.handle(req, resource);
      const body = XML_MEDIA_TYPES.has(mediaType) ? await req.readXml() : undefined;
      const def = body && xmlPosts.find((p) => p.name === body.name && p.appliesTo(resource));
      if (def) return def.handle(req, resource, body);
      const mediaHere = mediaPosts.filter((p) => p.appliesTo(resource));
      if (resource.type !== 'collection' || mediaHere.length > 0) {
        const accepted = [
          ...mediaHere.flatMap((p) => p.mediaTypes),
          ...xmlPosts.filter((p) => p.appliesTo(resource)).map((p) => `an XML body with root element ${p.name}`),
        ];
        throw new DavError(415, `POST here takes ${accepted.join(', or ')}`);
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
  const stored = await storeObject(req.context, collection, uri, data, validated, { origin: req });
  req.setHeader('Location', objectPath(collection.path, uri));
  setStoredHeaders(req, stored);
  req.respond(201);
}
