import type { Dav } from '../webdav/dav.js';
import { addressbookKind } from './kind.js';
import { defineAddressbookProperties } from './properties.js';
import { addressbookMultiget } from './reports/addressbook-multiget.js';
import { addressbookQuery } from './reports/addressbook-query.js';

/** CardDAV (RFC 6352) on top of the WebDAV core. */
export function registerCardDav(dav: Dav): void {
  dav.addKind(addressbookKind);
  dav.complianceClasses.push('addressbook');
  defineAddressbookProperties(dav);
  dav.addReport(addressbookMultiget);
  dav.addReport(addressbookQuery);
}
