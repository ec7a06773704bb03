// Qualified names in Clark notation, "{namespace}local": one string, cheap to compare
// and to use as a map key.

export type QName = string;

export const NS = {
  DAV: 'DAV:',
  /** Where getctag lives, which the core defines. */
  CALSERVER: 'http://calendarserver.org/ns/',
  /** Bound to the prefix xml in every document (xml:lang). */
  XML: 'http://www.w3.org/XML/1998/namespace',
} as const;

const prefixes = new Map<string, string>([
  [NS.DAV, 'D'],
  [NS.CALSERVER, 'CS'],
]);

/** Prefixes declared once on every response's root element, namespace → prefix. */
export const PREFIXES: ReadonlyMap<string, string> = prefixes;

/**
 * Gives a protocol layer's namespace a prefix on every response's root. Declared when
 * the layer's namespace module loads, so before any element in it is written.
 */
export function declarePrefix(ns: string, prefix: string): void {
  if (prefixes.has(ns) || [...prefixes.values()].includes(prefix)) throw new Error(`prefix ${prefix} for ${ns} declared twice`);
  prefixes.set(ns, prefix);
}

export function qname(ns: string, local: string): QName {
  return `{${ns}}${local}`;
}

export const dav = (local: string): QName => qname(NS.DAV, local);

export function splitQName(name: QName): { ns: string; local: string } {
  const close = name.indexOf('}');
  return { ns: name.slice(1, close), local: name.slice(close + 1) };
}
