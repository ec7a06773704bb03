// Typed forms of the CardDAV query language (RFC 6352 §10.5) and of address-data
// selection (§10.4). The CardDAV layer builds these from XML; this layer evaluates
// them against parsed vCards.

import type { ParamFilter } from '../text/param-filter.js';
import type { TextMatch } from '../text/text-match.js';

/** The vCard versions a CardDAV client may store and ask for. */
export type VcardVersion = '3.0' | '4.0';

export const VCARD_VERSIONS: readonly VcardVersion[] = ['3.0', '4.0'];

/** How the tests inside a filter combine (RFC 6352 §10.5, the "test" attribute). */
export type FilterTest = 'anyof' | 'allof';

export interface CardPropFilter {
  name: string; // upper-case property name, e.g. "EMAIL"
  test: FilterTest;
  isNotDefined: boolean;
  textMatches: TextMatch[];
  paramFilters: ParamFilter[];
}

export interface AddressFilter {
  test: FilterTest;
  propFilters: CardPropFilter[];
}

/** RFC 6352 §10.4 address-data request. */
export interface AddressDataRequest {
  /** The version to return; undefined = as stored. */
  version?: VcardVersion;
  /** Properties to return; undefined = all. */
  props?: { name: string; novalue: boolean }[];
}
