import { decodeText } from '../../ical/decode.js';
import { parseCard } from '../../vcard/card.js';
import { matchesAddressFilter } from '../../vcard/filter.js';
import type { StoredObject } from '../../store/types.js';
import type { ReportDef } from '../../webdav/dav.js';
import { DavError } from '../../webdav/errors.js';
import { collectionOf } from '../../webdav/multiget.js';
import { multistatus, response, statusEl } from '../../webdav/multistatus.js';
import { parsePropRequest, propertiesResponse } from '../../webdav/propfind-core.js';
import { NS, qname } from '../../webdav/xml/names.js';
import { child } from '../../webdav/xml/parse.js';
import { addressDataProperty } from '../address-data.js';
import { addressbookKind } from '../kind.js';
import { parseAddressFilter } from '../query-xml.js';

const CR = (local: string) => qname(NS.CARDDAV, local);

/** RFC 6352 §8.6. `limit` truncates the answer and says so with a 507 for the collection. */
export const addressbookQuery: ReportDef = {
  name: CR('addressbook-query'),
  appliesTo: (r) => (r.type === 'collection' || r.type === 'object') && r.kind === addressbookKind,
  handle(req, resource, body) {
    const collection = collectionOf(req, resource);
    const filter = parseAddressFilter(body);
    const nresults = child(child(body, CR('limit')) ?? body, CR('nresults'))?.text.trim();
    const limit = nresults === undefined ? undefined : Number(nresults);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new DavError(400, 'Invalid nresults');

    const onlyUri = resource.type === 'object' ? resource.object.uri : undefined;
    const everything = filter.propFilters.length === 0;
    const matches: StoredObject[] = [];
    for (const o of req.store.iterateObjects(collection.collection.id)) {
      if (onlyUri !== undefined && o.uri !== onlyUri) continue;
      if (everything || matchesAddressFilter(parseCard(decodeText(o.data)), filter)) matches.push(o);
    }

    const truncated = limit !== undefined && matches.length > limit;
    const shown = truncated ? matches.slice(0, limit) : matches;
    const props = parsePropRequest(body);
    const extra = addressDataProperty(req, body, new Map(shown.map((o) => [o.uri, o.data])));
    const ctx = { user: req.user };
    let out = '';
    for (const o of shown) out += propertiesResponse(req.dav, req.dav.objectResource(collection, o), props, ctx, false, extra);
    if (truncated) out += response(collection.path, statusEl(507));
    req.respond(207, multistatus(out), 'application/xml; charset=utf-8');
  },
};
