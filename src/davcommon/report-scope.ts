import { DavError } from '../webdav/errors.js';
import type { CollectionKind } from '../webdav/kinds.js';
import type { DavRequest } from '../webdav/request.js';
import type { CollectionResource, ObjectResource, Resource } from '../webdav/resource.js';

// Where the multiget and query reports run: on a collection of their kind (over its
// members) or on one of its members (over itself).

export type ReportScope = CollectionResource | ObjectResource;

/**
 * The resources a kind's report applies to, so that, say, an address book does not
 * list calendar-multiget in its supported-report-set.
 */
export function inCollectionsOf(kind: CollectionKind): (r: Resource) => r is ReportScope {
  return (r): r is ReportScope => (r.type === 'collection' || r.type === 'object') && r.kind === kind;
}

/** The collection a report runs over: the resource itself, or the parent of an object. */
export async function collectionOf(req: DavRequest, resource: ReportScope): Promise<CollectionResource> {
  if (resource.type === 'collection') return resource;
  const target = await req.context.resolve(resource.path.slice(0, resource.path.lastIndexOf('/') + 1), req.user);
  if (target.resource?.type !== 'collection') throw new DavError(404, 'Not found');
  return target.resource;
}
