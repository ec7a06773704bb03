import type { ReportDef } from '../webdav/dav.js';
import { DavError } from '../webdav/errors.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { EventLoopTurn } from '../webdav/event-loop-turn.js';
import { errorResponse, multistatus, statusResponse } from '../webdav/multistatus.js';
import { hrefToPath } from '../webdav/paths.js';
import { parsePropRequest, propertiesResponse, type ReportPropertiesFactory } from '../webdav/propfind-core.js';
import type { DavRequest } from '../webdav/request.js';
import type { CollectionResource, Resource } from '../webdav/resource.js';
import { dav, type QName } from '../webdav/xml/names.js';
import { RawParts } from '../webdav/xml/raw.js';
import { collectionOf, inCollectionsOf, type ReportScope } from './report-scope.js';

/**
 * A multiget report (calendar-multiget, addressbook-multiget): the listed members with
 * the asked properties. Each href is answered on its own: 404 outside the collection,
 * 403 for another user's data.
 */
export function multigetReport(
  name: QName,
  reportProperties: ReportPropertiesFactory,
  kind: CollectionKind,
): ReportDef<ReportScope> {
  return {
    name,
    appliesTo: inCollectionsOf(kind),
    async handle(req, resource, body) {
      const collection = await collectionOf(req, resource);
      const props = parsePropRequest(body);
      const hrefs = body.children.filter((c) => c.name === dav('href')).map((c) => c.text.trim());
      // Members named directly under the collection are read in one lookup; any
      // other href goes through full resolution (and its 403/404).
      const direct = new Map(hrefs.map((h) => [h, memberName(collection, hrefToPath(h))]));
      const wanted = [...direct.values()].filter((u): u is string => u !== undefined);
      const objects = new Map((await req.store.getObjects(collection.collection.id, wanted)).map((o) => [o.uri, o]));
      const raw = new RawParts();
      const loaded = new Map([...objects].map(([uri, o]) => [uri, o.data]));
      const extra = reportProperties(body, collection, { loaded, raw });
      const ctx = { user: req.user };
      const turn = new EventLoopTurn();
      let out = '';
      try {
        for (const href of hrefs) {
          const uri = direct.get(href);
          const object = uri === undefined ? undefined : objects.get(uri);
          const member = object ? req.context.objectResource(collection, object) : uri !== undefined ? 404 : await memberAt(req, collection, hrefToPath(href), loaded);
          out += typeof member === 'number'
            ? statusResponse(href, member)
            : await propertiesResponse(req.context, member, props, ctx, false, extra);
          await turn.pause();
        }
      } catch (e) {
        // A member's data the request may not spend more on (an expansion) ends the
        // answer as a streamed report's does: in-band, for the request-URI.
        if (!(e instanceof DavError)) throw e;
        out += errorResponse(collection.path, e);
      }
      req.respond(207, raw.assemble(multistatus(out)), 'application/xml; charset=utf-8');
    },
  };
}

/** The member name when `path` is directly inside the collection. */
function memberName(collection: CollectionResource, path: string): string | undefined {
  if (!path.startsWith(collection.path)) return undefined;
  const rest = path.slice(collection.path.length);
  if (rest === '' || rest.includes('/')) return undefined;
  try {
    return decodeURIComponent(rest);
  } catch {
    return undefined;
  }
}

/** A member named by another spelling of its href: resolved, and its data read into `loaded`. */
async function memberAt(req: DavRequest, collection: CollectionResource, path: string, loaded: Map<string, Buffer>): Promise<Resource | number> {
  try {
    const target = await req.context.resolve(path, req.user);
    const r = target.resource;
    if (r?.type !== 'object' || r.collection.id !== collection.collection.id) return 404;
    const stored = await req.store.getObject(r.collection.id, r.object.uri);
    if (!stored) return 404;
    loaded.set(stored.uri, stored.data);
    return r;
  } catch (e) {
    if (e instanceof DavError) return e.status;
    throw e;
  }
}
