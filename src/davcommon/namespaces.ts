import { declarePrefix } from '../webdav/xml/names.js';

// The namespaces of CalDAV, CardDAV and the client extension they carry. Each gets its
// prefix here, as it is defined, so every response declares it once on its root.

export const CALDAV_NS = 'urn:ietf:params:xml:ns:caldav';
export const CARDDAV_NS = 'urn:ietf:params:xml:ns:carddav';
/** Apple's calendar-color and calendar-order, which most clients read and write. */
export const APPLE_ICAL_NS = 'http://apple.com/ns/ical/';

declarePrefix(CALDAV_NS, 'C');
declarePrefix(CARDDAV_NS, 'CR');
declarePrefix(APPLE_ICAL_NS, 'A');
