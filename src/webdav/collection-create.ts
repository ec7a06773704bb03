import type { DavRequest } from './request.js';
import { DavError } from './errors.js';
import type { CollectionKind } from './kinds.js';
import { collectionPath } from './paths.js';
import { applyPropertyUpdate, instructionsOf, planPropertyUpdate, planPropstats, PropertyRefused, refusePlan, type PropertyUpdate } from './property-update.js';
import type { Resource } from './resource.js';
import type { NewCollectionTarget } from './target.js';
import { dav, type QName } from './xml/names.js';
import type { XmlElement } from './xml/parse.js';
import { xmlDocument } from './xml/write.js';

/** Thrown to roll a creation back once its plan has refused a property. */
class CreationRefused extends Error {}

/**
 * Creates a collection of `kind` at the target with the properties a MKCOL (RFC 5689)
 * or a protocol's own creation request sets, all in one transaction: if any property
 * cannot be set, nothing is created and the answer says which property failed.
 */
export async function createCollection(
  req: DavRequest,
  target: NewCollectionTarget,
  kind: CollectionKind,
  body: XmlElement | undefined,
  responseRoot: QName,
): Promise<void> {
  const home = target.parent;
  if (home.kind !== kind) throw new DavError(403, `A ${kind.name} cannot be created in this home`, dav('valid-resourcetype'));
  if ((home.kind.specialCollections ?? []).some((s) => s.uri === target.name)) throw new DavError(405, 'Reserved name');

  const instructions = body ? instructionsOf(body) : [];
  const path = collectionPath(kind.homeSegment, home.owner.username, target.name);
  // Planned against the collection just made, so a property the kind guards (a checked
  // setting such as schedule-calendar-transp) is checked as a PROPPATCH would check it;
  // a refusal rolls the creation back.
  let plan: PropertyUpdate | undefined;
  try {
    await req.store.transaction(async (tx) => {
      const created = await tx.createCollection(home.owner.id, kind.name, target.name, {});
      // A concurrent MKCOL of the same name made it since the target was resolved (RFC 4918 §9.3.1).
      if (!created) throw new DavError(405, 'A collection exists at this URI');
      const resource: Resource = { type: 'collection', path, owner: home.owner, kind, collection: created };
      plan = planPropertyUpdate(req.context.properties, resource, instructions, 'create', true, [dav('resourcetype')]);
      if (!plan.ok) throw new CreationRefused();
      await applyPropertyUpdate(tx, { collectionId: created.id, objectUri: '' }, plan);
      await req.context.changed(tx, { collection: created, what: 'collection', origin: req });
    });
  } catch (e) {
    if (e instanceof PropertyRefused) refusePlan(plan!, e);
    else if (!(e instanceof CreationRefused)) throw e;
    req.respond(403, xmlDocument(responseRoot, planPropstats(plan!)), 'application/xml; charset=utf-8');
    return;
  }
  req.setHeader('Location', path);
  req.setHeader('Cache-Control', 'no-cache');
  req.respond(201);
}

/** The kind an extended MKCOL asks for, from the resourcetype in its set. */
export function kindOfResourceType(req: DavRequest, body: XmlElement | undefined, home: CollectionKind): CollectionKind {
  const resourcetype = body && instructionsOf(body).find((i) => i.action === 'set' && i.prop.name === dav('resourcetype'))?.prop;
  if (!resourcetype) return home; // plain MKCOL in a home: a collection of the home's kind
  if (!resourcetype.children.some((c) => c.name === dav('collection'))) {
    throw new DavError(403, 'resourcetype must include DAV:collection', dav('valid-resourcetype'));
  }
  const types = resourcetype.children.map((c) => c.name).filter((n) => n !== dav('collection'));
  if (types.length === 0) return home;
  const kind = types.length === 1 ? req.context.kinds.find((k) => k.resourceType === types[0]) : undefined;
  if (!kind) throw new DavError(403, `Unsupported resourcetype ${types.join(' ')}`, dav('valid-resourcetype'));
  return kind;
}
