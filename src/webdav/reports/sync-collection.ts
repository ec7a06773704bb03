import type { ReportDef } from '../dav.js';
import { DavError } from '../errors.js';
import { joinResponses, multistatusChunks, response, statusEl, statusResponse } from '../multistatus.js';
import { objectPath } from '../paths.js';
import { parsePropRequest, propertiesResponse } from '../propfind-core.js';
import { isCollection, type CollectionResource } from '../resource.js';
import { parseSyncToken, syncTokenOf } from '../sync-token.js';
import { dav } from '../xml/names.js';
import { child } from '../xml/parse.js';
import { textEl, type Xml } from '../xml/write.js';
import type { ObjectMeta } from '../../store/types.js';

/** Changes answered per turn: bounds the lookups in flight and the string built. */
const PAGE = 500;

/**
 * RFC 6578 sync-collection. Changes come from the change log, so an incremental sync
 * costs O(changes since the token), whatever the size of the collection.
 */
export const syncCollection: ReportDef<CollectionResource> = {
  name: dav('sync-collection'),
  appliesTo: isCollection,
  async handle(req, r, body) {
    const { store } = req;
    const level = child(body, dav('sync-level'))?.text.trim() ?? '1';
    if (level !== '1') throw new DavError(403, 'Only sync-level 1 is supported', dav('sync-traversal-supported'));
    const limitText = child(child(body, dav('limit')) ?? body, dav('nresults'))?.text.trim();
    const limit = limitText !== undefined ? Number(limitText) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new DavError(400, 'Invalid nresults');

    const collection = await store.getCollection(r.owner.id, r.kind.name, r.collection.uri);
    if (!collection) throw new DavError(404, 'Not found');
    const tokenText = child(body, dav('sync-token'))?.text.trim() ?? '';
    const since = tokenText === '' ? 0 : parseSyncToken(tokenText, collection.id, collection.synctoken);

    const props = parsePropRequest(body);
    const ctx = { user: req.user };
    const self: CollectionResource = { ...r, collection };
    const member = (object: ObjectMeta) => propertiesResponse(req.context, req.context.objectResource(self, object), props, ctx, true);
    let token = collection.synctoken;
    let responses: AsyncIterable<Xml>;

    // Changes after the token; undefined when they were pruned (older than the retention).
    const changes = since === 0 && limit === undefined ? undefined : await store.changesSince(collection.id, since);
    if (since > 0 && !changes) {
      throw new DavError(403, 'The sync token is older than the change log keeps: sync again from the start', dav('valid-sync-token'));
    }

    if (!changes) {
      // A full initial sync is the current members, listed page by page.
      responses = (async function* () {
        for await (const page of store.listObjects(collection.id)) yield joinResponses(page.map(member));
      })();
    } else {
      // Latest change per member, oldest first; an initial sync leaves out deletions.
      const latest = new Map<string, { deleted: boolean; synctoken: number }>();
      for (const c of changes) {
        latest.delete(c.uri);
        latest.set(c.uri, c);
      }
      let entries = [...latest].filter(([, c]) => since > 0 || !c.deleted);
      const truncated = limit !== undefined && entries.length > limit;
      if (truncated) {
        entries = entries.slice(0, limit);
        token = entries[entries.length - 1]![1].synctoken;
      }
      const changed = async ([uri, change]: (typeof entries)[number]) => {
        const object = change.deleted ? undefined : await store.getObjectMeta(collection.id, uri);
        return object ? member(object) : statusResponse(objectPath(self.path, uri), 404);
      };
      responses = (async function* () {
        for (let i = 0; i < entries.length; i += PAGE) yield joinResponses(entries.slice(i, i + PAGE).map(changed));
        if (truncated) yield response(self.path, statusEl(507));
      })();
    }
    req.respondMultistatus(multistatusChunks(responses, () => textEl(dav('sync-token'), syncTokenOf(collection.id, token))));
  },
};
