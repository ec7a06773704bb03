import type { XmlLimits } from './xml/parse.js';

/**
 * The bounds WebDAV holds a request to. Declared here, where they are enforced; the
 * HTTP layer, above, fills them in from the configuration.
 */
export interface RequestLimits extends XmlLimits {
  /** Any request body; beyond it 413. */
  maxRequestBytes: number;
  /** A stored object (PUT, POST); beyond it the protocol's max-resource-size precondition. */
  maxResourceBytes: number;
}
