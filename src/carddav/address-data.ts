import { decodeText } from '../ical/decode.js';
import { renderAddressData } from '../vcard/address-data.js';
import type { ReportProperties } from '../webdav/propfind-core.js';
import type { DavRequest } from '../webdav/request.js';
import { dav, NS, qname } from '../webdav/xml/names.js';
import { child, type XmlElement } from '../webdav/xml/parse.js';
import { escapeXml } from '../webdav/xml/write.js';
import { parseAddressDataRequest } from './query-xml.js';

const ADDRESS_DATA = qname(NS.CARDDAV, 'address-data');

/**
 * The address-data report property: the stored card, or the version and properties the
 * request selects. `loaded` holds data a report already read, so it is not read twice.
 */
export function addressDataProperty(req: DavRequest, body: XmlElement, loaded?: Map<string, Buffer>): ReportProperties {
  const element = child(child(body, dav('prop')) ?? body, ADDRESS_DATA);
  if (!element) return new Map();
  const request = parseAddressDataRequest(element);
  return new Map([[
    ADDRESS_DATA,
    (r) => {
      if (r.type !== 'object') return undefined;
      const data = loaded?.get(r.object.uri) ?? req.store.getObject(r.collection.id, r.object.uri)?.data;
      return data ? escapeXml(renderAddressData(decodeText(data), request)) : undefined;
    },
  ]]);
}
