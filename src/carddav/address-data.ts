import { CARDDAV_NS } from '../davcommon/namespaces.js';
import { reportedData } from '../davcommon/report-data.js';
import { decodeText } from '../text/decode.js';
import { isStoredForm, renderAddressData } from '../vcard/address-data.js';
import type { ReportData, ReportProperties } from '../webdav/propfind-core.js';
import { dav, qname } from '../webdav/xml/names.js';
import { child, type XmlElement } from '../webdav/xml/parse.js';
import { escapeXml } from '../webdav/xml/write.js';
import { parseAddressDataRequest } from './query-xml.js';

const ADDRESS_DATA = qname(CARDDAV_NS, 'address-data');

/**
 * The address-data report property: the stored card, or the version and properties the
 * request selects (reportedData takes what the report or PROPFIND already read).
 */
export function addressDataProperty(body: XmlElement, data: ReportData): ReportProperties {
  const element = child(child(body, dav('prop')) ?? body, ADDRESS_DATA);
  if (!element) return new Map();
  const request = parseAddressDataRequest(element);
  return new Map([[
    ADDRESS_DATA,
    (r) => {
      const stored = reportedData(data, r);
      if (!stored) return undefined;
      const spliced = isStoredForm(stored.subarray(0, 64).toString('latin1'), request) ? data.raw.text(stored) : undefined;
      return spliced ?? escapeXml(renderAddressData(decodeText(stored), request));
    },
  ]]);
}
