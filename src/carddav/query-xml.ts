import { CARDDAV_NS } from '../davcommon/namespaces.js';
import { checkFilterContent, filterName, invalidFilter, parseParamFilter, parseTextMatch, type FilterContent } from '../davcommon/query-xml.js';
import type { Collation } from '../text/text-match.js';
import type { AddressDataRequest, AddressFilter, CardPropFilter, FilterTest } from '../vcard/types.js';
import { VCARD_VERSIONS, type VcardVersion } from '../vcard/types.js';
import { DavError } from '../webdav/errors.js';
import { qname } from '../webdav/xml/names.js';
import { child, childrenNamed, type XmlElement } from '../webdav/xml/parse.js';

// Reads the CardDAV query language (RFC 6352 §10.5) and address-data (§10.4) from XML
// into the typed forms the vCard layer evaluates.

const CR = (local: string) => qname(CARDDAV_NS, local);

/** CardDAV's text-match: i;unicode-casemap unless the client names another (RFC 6352 §8.3). */
const DEFAULT_COLLATION: Collation = 'i;unicode-casemap';

const invalid = (message: string) => invalidFilter(CARDDAV_NS, message);

// The element DTDs of RFC 6352 §10.5.
const FILTER: FilterContent = { allowed: ['prop-filter'] };
const PROP_FILTER: FilterContent = { allowed: ['is-not-defined', 'text-match', 'param-filter'] };

function testOf(el: XmlElement): FilterTest {
  const test = el.attrs.test ?? 'anyof';
  if (test !== 'anyof' && test !== 'allof') throw invalid(`test must be anyof or allof, got "${test}"`);
  return test;
}

function propFilter(el: XmlElement): CardPropFilter {
  checkFilterContent(el, CARDDAV_NS, PROP_FILTER);
  return {
    name: filterName(el, CARDDAV_NS),
    test: testOf(el),
    isNotDefined: child(el, CR('is-not-defined')) !== undefined,
    textMatches: childrenNamed(el, CR('text-match')).map((t) => parseTextMatch(t, CARDDAV_NS, DEFAULT_COLLATION)),
    paramFilters: childrenNamed(el, CR('param-filter')).map((p) => parseParamFilter(p, CARDDAV_NS, DEFAULT_COLLATION)),
  };
}

/** The filter of an addressbook-query (required, may be empty). */
export function parseAddressFilter(query: XmlElement): AddressFilter {
  const filter = child(query, CR('filter'));
  if (!filter) throw invalid('addressbook-query needs a filter');
  checkFilterContent(filter, CARDDAV_NS, FILTER);
  return { test: testOf(filter), propFilters: childrenNamed(filter, CR('prop-filter')).map(propFilter) };
}

/**
 * The address-data element of a report's prop. An unsupported content type or version
 * fails the supported-address-data precondition (RFC 6352 §8.6, §8.7): 403, as every
 * precondition of a REPORT (RFC 4918 §16).
 */
export function parseAddressDataRequest(el: XmlElement): AddressDataRequest {
  const contentType = (el.attrs['content-type'] ?? 'text/vcard').toLowerCase();
  const version = el.attrs.version;
  if (contentType !== 'text/vcard' || (version !== undefined && !VCARD_VERSIONS.includes(version as VcardVersion))) {
    throw new DavError(403, `address-data ${contentType}${version ? ` version ${version}` : ''} is not supported (text/vcard 3.0 or 4.0)`, CR('supported-address-data'));
  }
  const props = childrenNamed(el, CR('prop')).map((p) => ({ name: filterName(p, CARDDAV_NS), novalue: p.attrs.novalue === 'yes' }));
  const all = child(el, CR('allprop')) !== undefined || props.length === 0;
  return { version: version as VcardVersion | undefined, props: all ? undefined : props };
}
