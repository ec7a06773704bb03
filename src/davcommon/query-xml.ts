import { DavError } from '../webdav/errors.js';
import { qname } from '../webdav/xml/names.js';
import type { XmlElement } from '../webdav/xml/parse.js';
import type { ParamFilter } from '../text/param-filter.js';
import { isMatchType, isSupportedCollation, type Collation, type TextMatch } from '../text/text-match.js';

// The parts of the query language CalDAV (RFC 4791 §9.7) and CardDAV (RFC 6352 §10.5)
// share: the same elements in each protocol's namespace, with its own default collation.

export function parseTextMatch(el: XmlElement, ns: string, defaultCollation: Collation): TextMatch;
export function parseTextMatch(el: XmlElement | undefined, ns: string, defaultCollation: Collation): TextMatch | undefined;
export function parseTextMatch(el: XmlElement | undefined, ns: string, defaultCollation: Collation): TextMatch | undefined {
  if (!el) return undefined;
  const collation = el.attrs.collation ?? defaultCollation;
  if (!isSupportedCollation(collation)) {
    throw new DavError(403, `Unsupported collation ${collation}`, qname(ns, 'supported-collation'));
  }
  const matchType = el.attrs['match-type'] ?? 'contains';
  if (!isMatchType(matchType)) throw new DavError(403, `Unknown match-type ${matchType}`, qname(ns, 'valid-filter'));
  return { value: el.text, collation, matchType, negate: el.attrs['negate-condition'] === 'yes' };
}

/** The upper-cased name attribute of a comp-, prop- or param-filter; 403 valid-filter without one. */
export function filterName(el: XmlElement, ns: string): string {
  const name = el.attrs.name?.trim();
  if (!name) throw new DavError(403, `${el.name} needs a name attribute`, qname(ns, 'valid-filter'));
  return name.toUpperCase();
}

export function parseParamFilter(el: XmlElement, ns: string, defaultCollation: Collation): ParamFilter {
  return {
    name: filterName(el, ns),
    isNotDefined: el.children.some((c) => c.name === qname(ns, 'is-not-defined')),
    textMatch: parseTextMatch(el.children.find((c) => c.name === qname(ns, 'text-match')), ns, defaultCollation),
  };
}
