import { declarePrefix, qname, type QName } from '../webdav/xml/names.js';

/** draft-bitfire-webdav-push's namespace: its properties, request and message elements. */
export const PUSH_NS = 'https://bitfire.at/webdav-push';
declarePrefix(PUSH_NS, 'P');

export const P = (local: string): QName => qname(PUSH_NS, local);
