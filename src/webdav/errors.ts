import type { QName } from './xml/names.js';

/**
 * An error a client caused or must be told about. The HTTP layer turns it into the
 * status and, when a precondition is named, a DAV:error body (RFC 4918 §16).
 */
export class DavError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly precondition?: QName,
    /** Extra XML placed inside the precondition element, e.g. the conflicting href. */
    readonly detailXml?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}
