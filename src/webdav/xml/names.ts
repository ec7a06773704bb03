// Qualified names in Clark notation, "{namespace}local": one string, cheap to compare
// and to use as a map key.

export type QName = string;

export const NS = {
  DAV: 'DAV:',
  CALDAV: 'urn:ietf:params:xml:ns:caldav',
  CARDDAV: 'urn:ietf:params:xml:ns:carddav',
  CALSERVER: 'http://calendarserver.org/ns/',
  APPLE_ICAL: 'http://apple.com/ns/ical/',
} as const;

/** Prefixes declared once on every response's root element. */
export const PREFIXES: Readonly<Record<string, string>> = {
  [NS.DAV]: 'D',
  [NS.CALDAV]: 'C',
  [NS.CARDDAV]: 'CR',
  [NS.CALSERVER]: 'CS',
  [NS.APPLE_ICAL]: 'A',
};

export function qname(ns: string, local: string): QName {
  return `{${ns}}${local}`;
}

export const dav = (local: string): QName => qname(NS.DAV, local);

export function splitQName(name: QName): { ns: string; local: string } {
  const close = name.indexOf('}');
  return { ns: name.slice(1, close), local: name.slice(close + 1) };
}
