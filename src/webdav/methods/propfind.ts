import type { StoredObject } from '../../store/types.js';
import type { DavContext } from '../context.js';
import type { MethodDef } from '../dav.js';
import { DavError } from '../errors.js';
import { joinResponses, multistatusChunks, untilDavError } from '../multistatus.js';
import {
  isStoredDataProperty, parsePropRequest, propertiesResponse, type PropRequest, type ReportData, type ReportProperties,
} from '../propfind-core.js';
import type { CollectionResource, Resource } from '../resource.js';
import { exists, type ExistingTarget } from '../target.js';
import { dav } from '../xml/names.js';
import type { XmlElement } from '../xml/parse.js';
import { RawParts } from '../xml/raw.js';

export const propfind: MethodDef<ExistingTarget> = {
  name: 'PROPFIND',
  allows: exists,
  async handle(req, target) {
    const depth = req.depth('infinity');
    if (depth === 'infinity') {
      throw new DavError(403, 'Depth: infinity is not supported; use 0 or 1', dav('propfind-finite-depth'));
    }
    const body = await req.readXml();
    if (body && body.name !== dav('propfind')) throw new DavError(400, 'Expected a DAV:propfind body');
    const props = parsePropRequest(body);
    const r = target.resource;
    const ctx = { user: req.user };
    const minimal = req.wantsMinimal;
    if (minimal) req.setHeader('Preference-Applied', 'return=minimal');

    const raw = new RawParts();
    const loaded = new Map<string, Buffer>();
    const collection = r.type === 'collection' ? r : r.type === 'object' && target.parent?.type === 'collection' ? target.parent : undefined;
    const dataProps = body && collection ? storedDataProperties(req.context, props, body, collection, { loaded, raw }) : undefined;
    const answer = (page: Resource[]) => joinResponses(page.map((m) => propertiesResponse(req.context, m, props, ctx, minimal, dataProps)));
    /** The page's objects, their data held for the data properties until the next page. */
    const hold = (page: StoredObject[]) => {
      loaded.clear();
      for (const o of page) loaded.set(o.uri, o.data);
      return page;
    };

    const responses = (async function* () {
      if (dataProps && r.type === 'object') hold(await req.store.getObjects(r.collection.id, [r.object.uri]));
      yield answer([r]);
      if (depth !== '1') return;
      if (dataProps && r.type === 'collection') {
        for await (const page of req.store.iterateObjects(r.collection.id)) yield answer(hold(page).map((o) => req.context.objectResource(r, o)));
      } else {
        for await (const members of req.context.children(r)) yield answer(members);
      }
    })();
    const chunks = (async function* () {
      for await (const chunk of multistatusChunks(untilDavError(responses, r.path))) yield raw.assemble(chunk);
    })();
    req.respondStream(207, chunks, 'application/xml; charset=utf-8');
  },
};

/**
 * The data properties the request names (calendar-data, address-data), made as a report
 * makes them from its body, each only for the resources it applies to; undefined when
 * it names none, and the members' data need not be read.
 */
function storedDataProperties(
  d: DavContext, props: PropRequest, body: XmlElement, collection: CollectionResource, data: ReportData,
): ReportProperties | undefined {
  if (props.mode !== 'prop') return undefined;
  const named = props.names.map((n) => d.properties.get(n)).filter(isStoredDataProperty);
  if (named.length === 0) return undefined;
  const made: ReportProperties = new Map();
  for (const p of named) {
    for (const [name, value] of p.fromData(body, collection, data)) made.set(name, (m) => (p.appliesTo(m) ? value(m) : undefined));
  }
  return made;
}
