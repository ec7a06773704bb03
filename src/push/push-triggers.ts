import { DavError } from '../webdav/errors.js';
import { dav } from '../webdav/xml/names.js';
import { child, type XmlElement } from '../webdav/xml/parse.js';
import { el, textEl, type Xml } from '../webdav/xml/write.js';
import { P } from './push-namespace.js';

// Triggers (draft §"Triggers"): what a registration is told of. We support one:
// content-update at depth 1, a member of the collection (or a collection of the home)
// changed. No property-update: collection properties do not notify.

const CONTENT_UPDATE_DEPTH = '1';

/** What a registration was agreed to be told of, kept with it. */
export interface Trigger {
  contentUpdate: { depth: typeof CONTENT_UPDATE_DEPTH };
}

/** The supported-triggers property. */
export const SUPPORTED_TRIGGERS: Xml = el(P('content-update'), textEl(dav('depth'), CONTENT_UPDATE_DEPTH));

/**
 * The trigger a push-register gets, handled loosely as the draft asks: none asked for
 * (DAVx5 sends none) is content-update; any depth falls back to ours; property-update
 * is ignored; when nothing is left, 403 no-supported-trigger.
 */
export function agreedTrigger(asked: XmlElement | undefined): Trigger {
  if (asked && !child(asked, P('content-update'))) {
    throw new DavError(403, 'Only content-update (depth 1) is supported', P('no-supported-trigger'));
  }
  return { contentUpdate: { depth: CONTENT_UPDATE_DEPTH } };
}
