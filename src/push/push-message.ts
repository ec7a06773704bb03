import { dav } from '../webdav/xml/names.js';
import { el, textEl, xmlDocument } from '../webdav/xml/write.js';
import { P } from './push-namespace.js';

/**
 * A content-update message (draft §"Push message"): the topic, and for a collection the
 * sync token after the change (RFC 6578), by which a client already that far along can
 * skip its sync. A home's has no token of its own: an empty content-update.
 */
export function contentUpdateMessage(topic: string, syncToken: string | undefined): string {
  const content = syncToken === undefined ? '' : textEl(dav('sync-token'), syncToken);
  return xmlDocument(P('push-message'), textEl(P('topic'), topic) + el(P('content-update'), content));
}
