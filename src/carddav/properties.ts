import { CARDDAV_NS } from '../davcommon/namespaces.js';
import { queryCapabilityProperties } from '../davcommon/query-capabilities.js';
import type { Dav } from '../webdav/dav.js';
import type { StoredDataProperty } from '../webdav/propfind-core.js';
import { collectionTextProperty } from '../webdav/live-properties.js';
import { hrefEl } from '../webdav/multistatus.js';
import { homePath } from '../webdav/paths.js';
import type { Resource } from '../webdav/resource.js';
import { qname } from '../webdav/xml/names.js';
import { el } from '../webdav/xml/write.js';
import { VCARD_VERSIONS } from '../vcard/types.js';
import { addressDataProperty } from './address-data.js';
import { addressbookKind } from './kind.js';

const CR = (local: string) => qname(CARDDAV_NS, local);

const isAddressbook = (r: Resource) => r.type === 'collection' && r.kind === addressbookKind;
const isCard = (r: Resource) => r.type === 'object' && r.kind === addressbookKind;

const addressData: StoredDataProperty = {
  name: CR('address-data'),
  appliesTo: isCard,
  get: () => undefined,
  fromData: (body, _collection, data) => addressDataProperty(body, data),
  // Only when asked for by name: allprop would read every member's data.
  inAllprop: false,
};

/** RFC 6352 §6, §7 and §10.4: the principal's home, the address book's own properties and the cards' data. */
export function defineAddressbookProperties(d: Dav): void {
  d.properties.define(
    {
      name: CR('addressbook-home-set'),
      appliesTo: (r) => r.type === 'principal',
      get: (r) => (r.type === 'principal' ? hrefEl(homePath(addressbookKind.homeSegment, r.owner.username)) : undefined),
    },
    collectionTextProperty(CR('addressbook-description'), 'description', isAddressbook),
    {
      name: CR('supported-address-data'),
      appliesTo: isAddressbook,
      get: () => VCARD_VERSIONS.map((version) => el(CR('address-data-type'), '', { 'content-type': 'text/vcard', version })).join(''),
    },
    ...queryCapabilityProperties(d.limits, CARDDAV_NS, isAddressbook),
    addressData,
  );
}
