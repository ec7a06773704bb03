import { DavError } from '../errors.js';
import { qname } from './names.js';
import type { XmlElement } from './parse.js';

// The text-match element shared by CalDAV (RFC 4791 §9.7.5) and CardDAV (RFC 6352
// §10.5.4): same attributes, different namespace, default collation and set of
// supported collations, which the protocol layer passes in.

export type MatchType = 'equals' | 'contains' | 'starts-with' | 'ends-with';

const MATCH_TYPES: readonly string[] = ['equals', 'contains', 'starts-with', 'ends-with'];

export interface ParsedTextMatch<C extends string> {
  value: string;
  collation: C;
  matchType: MatchType;
  negate: boolean;
}

export interface Collations<C extends string> {
  /** Used when the element names none. */
  default: C;
  isSupported(name: string): name is C;
}

export function parseTextMatch<C extends string>(el: XmlElement, ns: string, collations: Collations<C>): ParsedTextMatch<C>;
export function parseTextMatch<C extends string>(el: XmlElement | undefined, ns: string, collations: Collations<C>): ParsedTextMatch<C> | undefined;
export function parseTextMatch<C extends string>(el: XmlElement | undefined, ns: string, collations: Collations<C>): ParsedTextMatch<C> | undefined {
  if (!el) return undefined;
  const collation = el.attrs.collation ?? collations.default;
  if (!collations.isSupported(collation)) {
    throw new DavError(403, `Unsupported collation ${collation}`, qname(ns, 'supported-collation'));
  }
  const matchType = el.attrs['match-type'] ?? 'contains';
  if (!MATCH_TYPES.includes(matchType)) throw new DavError(403, `Unknown match-type ${matchType}`, qname(ns, 'valid-filter'));
  return { value: el.text, collation, matchType: matchType as MatchType, negate: el.attrs['negate-condition'] === 'yes' };
}

/** The upper-cased name attribute of a comp-, prop- or param-filter; 403 valid-filter without one. */
export function filterName(el: XmlElement, ns: string): string {
  const name = el.attrs.name?.trim();
  if (!name) throw new DavError(403, `${el.name} needs a name attribute`, qname(ns, 'valid-filter'));
  return name.toUpperCase();
}

/** A param-filter, the same element in CalDAV (RFC 4791 §9.7.3) and CardDAV (RFC 6352 §10.5.2). */
export function parseParamFilter<C extends string>(el: XmlElement, ns: string, collations: Collations<C>) {
  return {
    name: filterName(el, ns),
    isNotDefined: el.children.some((c) => c.name === qname(ns, 'is-not-defined')),
    textMatch: parseTextMatch(el.children.find((c) => c.name === qname(ns, 'text-match')), ns, collations),
  };
}
