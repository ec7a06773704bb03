import { multigetReport } from '../../davcommon/multiget.js';
import { CARDDAV_NS } from '../../davcommon/namespaces.js';
import { qname } from '../../webdav/xml/names.js';
import { addressDataProperty } from '../address-data.js';
import { addressbookKind } from '../kind.js';

/** RFC 6352 §8.7 */
export const addressbookMultiget = multigetReport(
  qname(CARDDAV_NS, 'addressbook-multiget'),
  (body, _collection, data) => addressDataProperty(body, data),
  addressbookKind,
);
