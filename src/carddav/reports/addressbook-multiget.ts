import { multigetReport } from '../../webdav/multiget.js';
import { NS, qname } from '../../webdav/xml/names.js';
import { addressDataProperty } from '../address-data.js';
import { addressbookKind } from '../kind.js';

/** RFC 6352 §8.7 */
export const addressbookMultiget = multigetReport(
  qname(NS.CARDDAV, 'addressbook-multiget'),
  (req, body, _collection, data) => addressDataProperty(req, body, data),
  addressbookKind,
);
