import { CARDDAV_NS } from '../../davcommon/namespaces.js';
import { queryReport } from '../../davcommon/query-report.js';
import { decodeText } from '../../text/decode.js';
import { parseCard } from '../../vcard/card.js';
import { matchesAddressFilter } from '../../vcard/filter.js';
import { qname } from '../../webdav/xml/names.js';
import { addressDataProperty } from '../address-data.js';
import { addressbookKind } from '../kind.js';
import { parseAddressFilter } from '../query-xml.js';

/** RFC 6352 §8.6 */
export const addressbookQuery = queryReport({
  name: qname(CARDDAV_NS, 'addressbook-query'),
  kind: addressbookKind,
  async *select(req, collection, body) {
    const filter = parseAddressFilter(body);
    const everything = filter.propFilters.length === 0;
    for await (const page of req.store.iterateObjects(collection.collection.id)) {
      yield everything ? page : page.filter((o) => matchesAddressFilter(parseCard(decodeText(o.data)), filter));
    }
  },
  properties: (body, _collection, data) => addressDataProperty(body, data),
});
