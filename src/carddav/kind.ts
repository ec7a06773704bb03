import { CARDDAV_NS } from '../davcommon/namespaces.js';
import { decodeText } from '../text/decode.js';
import { ensureCardUid } from '../vcard/ensure-uid.js';
import { exportCards } from '../vcard/export.js';
import { validateCard, VcardDataError } from '../vcard/card.js';
import { DavError } from '../webdav/errors.js';
import type { CollectionKind } from '../webdav/kinds.js';
import { qname } from '../webdav/xml/names.js';

export const addressbookKind: CollectionKind = {
  name: 'addressbook',
  homeSegment: 'addressbooks',
  resourceType: qname(CARDDAV_NS, 'addressbook'),
  preconditionNs: CARDDAV_NS,
  objectContentType: 'text/vcard; charset=utf-8',
  objectExtension: '.vcf',
  defaultCollection: { uri: 'default', fields: { displayname: 'Contacts' } },

  validateObject(data) {
    try {
      const { uid } = validateCard(decodeText(data));
      return { uid, component: 'VCARD' };
    } catch (e) {
      if (e instanceof VcardDataError) throw new DavError(403, e.message, qname(CARDDAV_NS, 'valid-address-data'));
      throw e;
    }
  },

  ensureUid: ensureCardUid,

  exportCollection(_collection, objects) {
    return {
      contentType: 'text/vcard; charset=utf-8',
      chunks: exportCards((async function* () {
        for await (const page of objects) for (const o of page) yield o.data;
      })()),
    };
  },
};
