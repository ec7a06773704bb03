import type { User } from '../store/types.js';
import type { DavContext } from '../webdav/context.js';
import { collectionPath } from '../webdav/paths.js';
import type { CollectionResource } from '../webdav/resource.js';

/**
 * The user's collection a person names on a command line: `calendars/<name>`,
 * `addressbooks/<name>`, its URL path (/dav/calendars/<user>/<name>/) or just `<name>`.
 * A bare name that both a calendar and an address book have (every user's `default`)
 * means the one of kind `preferredKind` when given (an import: the file's kind).
 */
export async function findCollection(context: DavContext, owner: User, ref: string, preferredKind?: string): Promise<CollectionResource> {
  const segments = ref.split('/').filter((s) => s !== '');
  const [homeSegment, name] = segments.length === 1 ? [undefined, segments[0]!] : segments.length === 2 ? segments : [segments[1], segments[3]];
  const kinds = context.kinds.filter((k) => homeSegment === undefined || k.homeSegment === homeSegment);
  if (name === undefined || kinds.length === 0 || (segments.length > 2 && (segments.length !== 4 || segments[0] !== 'dav' || segments[2] !== owner.username))) {
    throw new Error(`"${ref}" names no collection: say calendars/<name> or addressbooks/<name>`);
  }
  const found: CollectionResource[] = [];
  for (const kind of kinds) {
    const collection = await context.store.getCollection(owner.id, kind.name, name);
    if (collection) found.push({ type: 'collection', path: collectionPath(kind.homeSegment, owner.username, name), owner, kind, collection });
  }
  const chosen = found.length > 1 ? found.filter((c) => c.kind.name === preferredKind) : found;
  if (chosen.length === 1) return chosen[0]!;
  if (found.length > 1) {
    throw new Error(`${owner.username} has a calendar and an address book named ${name}: say ${found.map((c) => `${c.kind.homeSegment}/${name}`).join(' or ')}`);
  }
  const all: string[] = [];
  for (const kind of context.kinds) {
    for (const c of await context.store.listCollections(owner.id, kind.name)) all.push(`${kind.homeSegment}/${c.uri}`);
  }
  throw new Error(`${owner.username} has no collection ${ref} (there are: ${all.join(', ') || 'none'})`);
}
