import { DavError } from '../webdav/errors.js';
import { qname, splitQName } from '../webdav/xml/names.js';
import type { XmlElement } from '../webdav/xml/parse.js';
import type { ParamFilter } from '../text/param-filter.js';
import { isMatchType, isSupportedCollation, type Collation, type TextMatch } from '../text/text-match.js';

// The parts of the query language CalDAV (RFC 4791 §9.7) and CardDAV (RFC 6352 §10.5)
// share: the same elements in each protocol's namespace, with its own default collation.

/** The valid-filter precondition (RFC 4791 §7.8, RFC 6352 §8.6): 403, as every precondition (RFC 4791 §1.3). */
export function invalidFilter(ns: string, message: string): DavError {
  return new DavError(403, message, qname(ns, 'valid-filter'));
}

/** What a filter element may hold of its protocol's elements, from the DTDs of RFC 4791 §9.7 and RFC 6352 §10.5. */
export interface FilterContent {
  allowed: readonly string[];
  /** Groups of which at most one element may appear, e.g. time-range | text-match in a CalDAV prop-filter. */
  atMostOne?: readonly (readonly string[])[];
}

/**
 * Refuses a filter element whose content its DTD does not allow: a protocol element out
 * of place (a param-filter outside a prop-filter), is-not-defined beside other tests, or
 * a repeated test. Elements of other namespaces are extensions and ignored (RFC 4918 §17).
 */
export function checkFilterContent(el: XmlElement, ns: string, content: FilterContent): void {
  const where = splitQName(el.name).local;
  const own = el.children.map((c) => splitQName(c.name)).filter((n) => n.ns === ns).map((n) => n.local);
  const stray = own.find((local) => !content.allowed.includes(local));
  if (stray !== undefined) throw invalidFilter(ns, `${stray} is not allowed in ${where}`);
  if (own.includes('is-not-defined') && own.length > 1) throw invalidFilter(ns, `is-not-defined in ${where} excludes every other test`);
  for (const group of content.atMostOne ?? []) {
    if (own.filter((local) => group.includes(local)).length > 1) throw invalidFilter(ns, `${where} holds at most one ${group.join(' or ')}`);
  }
}

export function parseTextMatch(el: XmlElement, ns: string, defaultCollation: Collation): TextMatch;
export function parseTextMatch(el: XmlElement | undefined, ns: string, defaultCollation: Collation): TextMatch | undefined;
export function parseTextMatch(el: XmlElement | undefined, ns: string, defaultCollation: Collation): TextMatch | undefined {
  if (!el) return undefined;
  const collation = el.attrs.collation ?? defaultCollation;
  if (!isSupportedCollation(collation)) {
    throw new DavError(403, `Unsupported collation ${collation}`, qname(ns, 'supported-collation'));
  }
  const matchType = el.attrs['match-type'] ?? 'contains';
  if (!isMatchType(matchType)) throw invalidFilter(ns, `Unknown match-type ${matchType}`);
  return { value: el.text, collation, matchType, negate: el.attrs['negate-condition'] === 'yes' };
}

/** The upper-cased name attribute of a comp-, prop- or param-filter; 403 valid-filter without one. */
export function filterName(el: XmlElement, ns: string): string {
  const name = el.attrs.name?.trim();
  if (!name) throw invalidFilter(ns, `${el.name} needs a name attribute`);
  return name.toUpperCase();
}

const PARAM_FILTER: FilterContent = { allowed: ['is-not-defined', 'text-match'], atMostOne: [['text-match']] };

export function parseParamFilter(el: XmlElement, ns: string, defaultCollation: Collation): ParamFilter {
  checkFilterContent(el, ns, PARAM_FILTER);
  return {
    name: filterName(el, ns),
    isNotDefined: el.children.some((c) => c.name === qname(ns, 'is-not-defined')),
    textMatch: parseTextMatch(el.children.find((c) => c.name === qname(ns, 'text-match')), ns, defaultCollation),
  };
}
