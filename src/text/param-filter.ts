// The param-filter of CalDAV (RFC 4791 §9.7.3) and CardDAV (RFC 6352 §10.5.2): the same
// test on a content line's parameter in both, evaluated by each format its own way.

import type { TextMatch } from './text-match.js';

export interface ParamFilter {
  name: string; // upper-case parameter name, e.g. "PARTSTAT"
  isNotDefined: boolean;
  textMatch?: TextMatch;
}
