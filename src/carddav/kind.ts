import { decodeText } from '../ical/decode.js';
import { ensureCardUid } from '../vcard/ensure-uid.js';
import { exportCards } from '../vcard/export.js';
import { validateCard, VcardDataError } from '../vcard/card.js';
import { DavError } from '../webdav/errors.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { NS, qname } from '../webdav/xml/names.js';

export const addressbookKind: CollectionKind = {
  name: 'addressbook',
  homeSegment: 'addressbooks',
  resourceType: qname(NS.CARDDAV, 'addressbook'),
  preconditionNs: NS.CARDDAV,
  objectContentType: 'text/vcard; charset=utf-8',
  objectExtension: '.vcf',
  defaultCollection: { uri: 'default', fields: { displayname: 'Contacts' } },

  validateObject(data) {
    try {
      const { uid } = validateCard(decodeText(data));
      return { uid, component: 'VCARD' };
    } catch (e) {
      if (e instanceof VcardDataError) throw new DavError(403, e.message, qname(NS.CARDDAV, 'valid-address-data'));
      throw e;
    }
  },

  ensureUid: ensureCardUid,

  exportCollection(_collection, objects) {
    return {
      contentType: 'text/vcard; charset=utf-8',
      chunks: exportCards((async function* () {
        for await (const o of objects) yield o.data;
      })()),
    };
  },
};
