import { deleteCollection } from './collection-delete.js';
import { DavError } from './errors.js';
import { etagOf } from './etag.js';
import { refuseGeneratedWrite } from './generated-collections.js';
import { checkUidFree } from './object-write.js';
import { objectPath } from './paths.js';
import type { DavRequest } from './request.js';
import type { CollectionResource, ObjectResource } from './resource.js';
import type { Target } from './target.js';

// COPY and MOVE (RFC 4918 §9.8, §9.9) of members between a user's collections, and
// MOVE of a collection within its home (a rename). Apple Calendar moves an event to
// another calendar this way.

/**
 * The Destination header resolved as the signed-in user sees it (§10.3): another user's
 * space is refused (403) like any URL of theirs, another server is 502 (§9.8.5), and the
 * source itself is 403.
 */
export async function destinationOf(req: DavRequest, sourcePath: string): Promise<Target> {
  const header = req.header('Destination');
  if (!header) throw new DavError(400, 'The Destination header is missing');
  let url: URL;
  try {
    url = new URL(header, 'http://destination.invalid');
  } catch {
    throw new DavError(400, 'The Destination header is not a URL');
  }
  const hosts = [req.header('Host'), req.header('X-Forwarded-Host'), 'destination.invalid'];
  if (!hosts.includes(url.host)) throw new DavError(502, 'The destination is on another server');
  const target = await req.context.resolve(url.pathname, req.user);
  if (target.path.replace(/\/$/, '') === sourcePath.replace(/\/$/, '')) throw new DavError(403, 'The source and the destination are the same');
  return target;
}

/** The Overwrite header (§10.6): T unless it says F. */
export function overwriteAllowed(req: DavRequest): boolean {
  const value = (req.header('Overwrite') ?? 'T').trim().toUpperCase();
  if (value !== 'T' && value !== 'F') throw new DavError(400, 'Overwrite must be T or F');
  return value === 'T';
}

/**
 * Copies (or moves) a member to the destination in one transaction: the destination
 * collection's kind validates the data (a vCard cannot land in a calendar), its UIDs
 * stay unique, dead properties go along, and both collections' sync tokens move.
 * Returns whether the destination was created (201) rather than replaced (204).
 */
export async function transferObject(req: DavRequest, source: ObjectResource, destination: Target, move: boolean): Promise<boolean> {
  const into = destination.parent;
  if (!into) throw new DavError(409, 'The destination collection does not exist');
  if (into.type !== 'collection' || (destination.resource && destination.resource.type !== 'object')) {
    throw new DavError(403, 'Members can only be copied or moved into a calendar or address book');
  }
  const from: CollectionResource = { type: 'collection', path: source.path.slice(0, source.path.lastIndexOf('/') + 1), owner: source.owner, kind: source.kind, collection: source.collection };
  const stored = await req.store.getObject(from.collection.id, source.object.uri);
  if (!stored) throw new DavError(404, 'Not found');
  const validated = into.kind.validateObject(stored.data, into.collection, source.kind.objectContentType);
  const uri = destination.resource?.object.uri ?? destination.name;
  const overwrite = overwriteAllowed(req);
  const sameCollection = from.collection.id === into.collection.id;

  return req.store.transaction(async (tx) => {
    // Both locks, in id order: two opposite moves must not wait on each other.
    for (const id of [...new Set([from.collection.id, into.collection.id])].sort((a, b) => a - b)) {
      if (!(await tx.lockCollection(id))) throw new DavError(409, 'The collection no longer exists');
    }
    const current = await tx.getObjectMeta(from.collection.id, source.object.uri);
    if (!current) throw new DavError(404, 'Not found');
    const replaced = await tx.getObjectMeta(into.collection.id, uri);
    if (move) refuseGeneratedWrite(from.collection, source.path, 'unbind');
    refuseGeneratedWrite(into.collection, objectPath(into.path, uri), replaced ? 'write-content' : 'bind');
    if (replaced && !overwrite) throw new DavError(412, 'The destination exists and Overwrite is F');
    await checkUidFree(tx, into, validated.uid, move && sameCollection ? [uri, source.object.uri] : [uri]);
    const props = await tx.getDeadProperties({ collectionId: from.collection.id, objectUri: source.object.uri });
    // The source goes first: within one collection its UID must be free for the new name.
    if (move) await tx.deleteObject(from.collection.id, source.object.uri);
    if (replaced) await tx.deleteObject(into.collection.id, uri); // the destination is replaced, its properties with it
    const { objectId } = await tx.putObject(into.collection.id, { uri, data: stored.data, etag: etagOf(stored.data), uid: validated.uid, component: validated.component });
    await validated.afterWrite?.(tx, into.collection.id, objectId);
    for (const prop of props) await tx.setDeadProperty({ collectionId: into.collection.id, objectUri: uri }, prop);
    const movedAway = move ? [source.object.uri] : [];
    await req.context.changed(tx, { collection: into.collection, what: 'member', members: sameCollection ? [uri, ...movedAway] : [uri], origin: req });
    if (move && !sameCollection) await req.context.changed(tx, { collection: from.collection, what: 'member', members: movedAway, origin: req });
    return !replaced;
  });
}

/**
 * Renames a collection within its home (MOVE): its id, members and sync token stay, so
 * clients' tokens go on working. A collection at the destination is deleted first when
 * Overwrite allows. Returns whether the destination was created (201) rather than replaced.
 */
export async function renameCollection(req: DavRequest, source: CollectionResource, destination: Target): Promise<boolean> {
  const home = destination.parent;
  if (!home) throw new DavError(409, 'The destination home does not exist');
  if (home.type !== 'home' || home.kind !== source.kind || home.owner.id !== source.owner.id) {
    throw new DavError(403, 'A collection can only be moved within its own home');
  }
  if ((home.kind.specialCollections ?? []).some((s) => s.uri === destination.name)) throw new DavError(403, 'Reserved name');
  if (destination.resource && destination.resource.type !== 'collection') throw new DavError(403, 'The destination is not a collection');
  const depth = req.header('Depth');
  if (depth !== undefined && depth.toLowerCase() !== 'infinity') throw new DavError(400, 'MOVE of a collection must have Depth: infinity');
  const replaced = destination.resource;
  if (replaced && !overwriteAllowed(req)) throw new DavError(412, 'The destination exists and Overwrite is F');

  await req.store.transaction(async (tx) => {
    if (replaced) await deleteCollection(tx, req.context, replaced.collection, req);
    await tx.renameCollection(source.collection.id, destination.name);
    await req.context.changed(tx, { collection: { ...source.collection, uri: destination.name }, what: 'collection', origin: req });
  });
  return !replaced;
}
