import { freeBusyQuery } from './freebusy-query.js';
import type { Dav } from '../webdav/dav.js';
import { defineFreeBusyProperties } from './freebusy-properties.js';
import { outboxPost } from './outbox-post.js';

/** Free-busy lookups through the outbox (RFC 6638 §5) and the REPORT (RFC 4791 §7.10), and the settings they read. */
export function registerFreeBusy(d: Dav): void {
  d.addMediaPost(outboxPost);
  d.addReport(freeBusyQuery);
  defineFreeBusyProperties(d);
}
