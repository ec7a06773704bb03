import type { RequestLimits } from '../webdav/limits.js';
import type { LiveProperty } from '../webdav/properties.js';
import type { Resource } from '../webdav/resource.js';
import { qname } from '../webdav/xml/names.js';
import { el } from '../webdav/xml/write.js';
import { COLLATIONS } from '../text/text-match.js';

/**
 * supported-collation-set and max-resource-size: the same for calendars (RFC 4791
 * §7.5.1, §5.2.5) and address books (RFC 6352 §8.3.1, §6.2.3), in the protocol's namespace.
 */
export function queryCapabilityProperties(
  limits: RequestLimits,
  ns: string,
  appliesTo: (r: Resource) => boolean,
): LiveProperty[] {
  return [
    {
      name: qname(ns, 'supported-collation-set'),
      appliesTo,
      get: () => COLLATIONS.map((c) => el(qname(ns, 'supported-collation'), c)).join(''),
      inAllprop: false,
    },
    { name: qname(ns, 'max-resource-size'), appliesTo, get: () => String(limits.maxResourceBytes) },
  ];
}
