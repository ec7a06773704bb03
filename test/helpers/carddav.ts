// Request bodies and small fixtures for the CardDAV tests.

import { readFileSync } from 'node:fs';
import { installPath } from '../../src/install-dir.js';
import { NS, XML_HEADER } from './xml.js';

export const cr = (local: string) => `{${NS.CR}}${local}`;

export const BOOK = '/dav/addressbooks/alice/default/';

/** One of our own small cards from test/fixtures/. */
export function ownCard(name: string): Buffer {
  return readFileSync(installPath('test', 'fixtures', name));
}

export function multigetBody(hrefs: string[], addressData = '<CR:address-data/>'): string {
  return `${XML_HEADER}<CR:addressbook-multiget xmlns:D="DAV:" xmlns:CR="${NS.CR}"><D:prop><D:getetag/>${addressData}</D:prop>${hrefs.map((h) => `<D:href>${h}</D:href>`).join('')}</CR:addressbook-multiget>`;
}

export function queryBody(filter: string, addressData = '<CR:address-data/>', extra = ''): string {
  return `${XML_HEADER}<CR:addressbook-query xmlns:D="DAV:" xmlns:CR="${NS.CR}"><D:prop><D:getetag/>${addressData}</D:prop>${filter}${extra}</CR:addressbook-query>`;
}

export const VCARD = { 'Content-Type': 'text/vcard; charset=utf-8' };
