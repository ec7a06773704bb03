import type { StoredObject } from '../store/types.js';
import type { ReportDef } from '../webdav/dav.js';
import { DavError } from '../webdav/errors.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { EventLoopTurn } from '../webdav/event-loop-turn.js';
import { joinResponses, multistatusChunks, response, statusEl, untilDavError } from '../webdav/multistatus.js';
import { parsePropRequest, propertiesResponse, type ReportPropertiesFactory } from '../webdav/propfind-core.js';
import type { DavRequest } from '../webdav/request.js';
import type { CollectionResource } from '../webdav/resource.js';
import { qname, type QName } from '../webdav/xml/names.js';
import { RawParts } from '../webdav/xml/raw.js';
import { child, type XmlElement } from '../webdav/xml/parse.js';
import { collectionOf, inCollectionsOf, type ReportScope } from './report-scope.js';

export interface QueryReportSpec {
  name: QName;
  kind: CollectionKind;
  /** The members that match the report's filter, in the order to report them, a page at a time. */
  select(req: DavRequest, collection: CollectionResource, body: XmlElement): AsyncIterable<StoredObject[]>;
  properties: ReportPropertiesFactory;
}

/**
 * A query report (calendar-query, addressbook-query): the matching members with the
 * asked properties, on a collection (its members) or on one member (itself).
 * A `limit/nresults` in the report's namespace truncates with a 507 (RFC 5323 §5.17).
 */
export function queryReport(spec: QueryReportSpec): ReportDef<ReportScope> {
  const ns = spec.name.slice(1, spec.name.indexOf('}'));
  return {
    name: spec.name,
    appliesTo: inCollectionsOf(spec.kind),
    async handle(req, resource, body) {
      const collection = await collectionOf(req, resource);
      const nresults = child(child(body, qname(ns, 'limit')) ?? body, qname(ns, 'nresults'))?.text.trim();
      const limit = nresults === undefined ? Infinity : Number(nresults);
      if (!(limit === Infinity || (Number.isInteger(limit) && limit > 0))) throw new DavError(400, 'Invalid nresults');

      const onlyUri = resource.type === 'object' ? resource.object.uri : undefined;
      const props = parsePropRequest(body);
      const raw = new RawParts();
      const loaded = new Map<string, Buffer>();
      const extra = spec.properties(body, collection, { loaded, raw });
      const ctx = { user: req.user };
      const turn = new EventLoopTurn();
      const answer = async (page: StoredObject[]) => {
        loaded.clear();
        for (const o of page) loaded.set(o.uri, o.data);
        const responses = [];
        for (const o of page) {
          const member = propertiesResponse(req.context, req.context.objectResource(collection, o), props, ctx, false, extra);
          // Awaited with the page, after the pauses: a refusal meanwhile (an expansion past
          // its budget) is answered then, not lost as an unhandled rejection.
          if (typeof member !== 'string') member.catch(() => {});
          responses.push(member);
          await turn.pause();
        }
        return joinResponses(responses);
      };
      // Matches are answered page by page as they are found: a query's memory does not
      // grow with its result. The first page is read before the status line goes out,
      // so a filter the report refuses still gets its own status.
      const pages = spec.select(req, collection, body)[Symbol.asyncIterator]();
      const first = await pages.next();
      const responses = (async function* () {
        let shown = 0;
        for (let next = first; !next.done; next = await pages.next()) {
          const page = onlyUri === undefined ? next.value : next.value.filter((o) => o.uri === onlyUri);
          if (shown === limit) {
            if (page.length === 0) continue;
            yield response(collection.path, statusEl(507));
            return;
          }
          const room = limit - shown;
          yield answer(page.slice(0, room));
          shown += Math.min(page.length, room);
          if (page.length > room) {
            yield response(collection.path, statusEl(507));
            return;
          }
        }
      })();
      const chunks = (async function* () {
        for await (const chunk of multistatusChunks(untilDavError(responses, collection.path))) yield raw.assemble(chunk);
      })();
      req.respondStream(207, chunks, 'application/xml; charset=utf-8');
    },
  };
}
