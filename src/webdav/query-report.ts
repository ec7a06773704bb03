import type { StoredObject } from '../store/types.js';
import type { ReportDef } from './dav.js';
import { DavError } from './errors.js';
import type { CollectionKind } from './kinds.js';
import { collectionOf } from './multiget.js';
import { multistatusChunks, response, statusEl } from './multistatus.js';
import { parsePropRequest, propertiesResponse, type ReportPropertiesFactory } from './propfind-core.js';
import type { DavRequest } from './request.js';
import type { CollectionResource } from './resource.js';
import { qname, type QName } from './xml/names.js';
import { RawParts } from './xml/raw.js';
import { child, type XmlElement } from './xml/parse.js';

export interface QueryReportSpec {
  name: QName;
  kind: CollectionKind;
  /** The members that match the report's filter, in the order to report them. */
  select(req: DavRequest, collection: CollectionResource, body: XmlElement): AsyncIterable<StoredObject>;
  properties: ReportPropertiesFactory;
}

/**
 * A query report (calendar-query, addressbook-query): the matching members with the
 * asked properties, on a collection (its members) or on one member (itself).
 * A `limit/nresults` in the report's namespace truncates with a 507 (RFC 5323 §5.17).
 */
export function queryReport(spec: QueryReportSpec): ReportDef {
  const ns = spec.name.slice(1, spec.name.indexOf('}'));
  return {
    name: spec.name,
    appliesTo: (r) => (r.type === 'collection' || r.type === 'object') && r.kind === spec.kind,
    async handle(req, resource, body) {
      const collection = await collectionOf(req, resource);
      const nresults = child(child(body, qname(ns, 'limit')) ?? body, qname(ns, 'nresults'))?.text.trim();
      const limit = nresults === undefined ? Infinity : Number(nresults);
      if (!(limit === Infinity || (Number.isInteger(limit) && limit > 0))) throw new DavError(400, 'Invalid nresults');

      const onlyUri = resource.type === 'object' ? resource.object.uri : undefined;
      const shown: StoredObject[] = [];
      let truncated = false;
      for await (const o of spec.select(req, collection, body)) {
        if (onlyUri !== undefined && o.uri !== onlyUri) continue;
        if (shown.length === limit) {
          truncated = true;
          break;
        }
        shown.push(o);
      }
      const props = parsePropRequest(body);
      const raw = new RawParts();
      const extra = spec.properties(req, body, collection, { loaded: new Map(shown.map((o) => [o.uri, o.data])), raw });
      const ctx = { user: req.user };
      const responses = (async function* () {
        for (const o of shown) yield propertiesResponse(req.dav, req.dav.objectResource(collection, o), props, ctx, false, extra);
        if (truncated) yield response(collection.path, statusEl(507));
      })();
      const chunks = (async function* () {
        for await (const chunk of multistatusChunks(responses)) yield raw.assemble(chunk);
      })();
      req.respondStream(207, chunks, 'application/xml; charset=utf-8');
    },
  };
}
