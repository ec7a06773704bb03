import { decodeText } from '../ical/decode.js';
import { isStoredForm, renderAddressData } from '../vcard/address-data.js';
import type { ReportData, ReportProperties } from '../webdav/propfind-core.js';
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
export function addressDataProperty(req: DavRequest, body: XmlElement, { loaded, raw }: ReportData): ReportProperties {
  const element = child(child(body, dav('prop')) ?? body, ADDRESS_DATA);
  if (!element) return new Map();
  const request = parseAddressDataRequest(element);
  return new Map([[
    ADDRESS_DATA,
    (r) => {
      if (r.type !== 'object') return undefined;
      const data = loaded.get(r.object.uri) ?? req.store.getObject(r.collection.id, r.object.uri)?.data;
      if (!data) return undefined;
      const spliced = isStoredForm(data.subarray(0, 64).toString('latin1'), request) ? raw.text(data) : undefined;
      return spliced ?? escapeXml(renderAddressData(decodeText(data), request));
    },
  ]]);
}
