import { parseXml, type XmlElement } from '../../src/webdav/xml/parse.js';

export const NS = {
  D: 'DAV:',
  C: 'urn:ietf:params:xml:ns:caldav',
  CR: 'urn:ietf:params:xml:ns:carddav',
  CS: 'http://calendarserver.org/ns/',
  A: 'http://apple.com/ns/ical/',
};

export const d = (local: string) => `{DAV:}${local}`;
export const c = (local: string) => `{${NS.C}}${local}`;
export const cs = (local: string) => `{${NS.CS}}${local}`;
export const a = (local: string) => `{${NS.A}}${local}`;

export interface PropResult {
  status: number;
  el: XmlElement;
}

export interface MultiResponse {
  href: string;
  /** Status of a response without propstat (sync deletions, multiget misses). */
  status?: number;
  props: Map<string, PropResult>;
}

export function parse(text: string): XmlElement {
  return parseXml(text, { maxXmlDepth: 100, maxXmlElements: 1_000_000, maxXmlAttributes: 1_000_000 });
}

function statusCode(el: XmlElement | undefined): number | undefined {
  const m = el && /HTTP\/1\.1 (\d{3})/.exec(el.text);
  return m ? Number(m[1]) : undefined;
}

/** The responses of a multistatus body, keyed by href. */
export function multistatus(text: string): Map<string, MultiResponse> {
  const root = parse(text);
  if (root.name !== d('multistatus')) throw new Error(`not a multistatus: ${text.slice(0, 200)}`);
  const out = new Map<string, MultiResponse>();
  for (const r of root.children.filter((x) => x.name === d('response'))) {
    const href = decodeURIComponent(r.children.find((x) => x.name === d('href'))!.text.trim());
    const props = new Map<string, PropResult>();
    for (const ps of r.children.filter((x) => x.name === d('propstat'))) {
      const status = statusCode(ps.children.find((x) => x.name === d('status')))!;
      for (const p of ps.children.find((x) => x.name === d('prop'))?.children ?? []) props.set(p.name, { status, el: p });
    }
    out.set(href, { href, status: statusCode(r.children.find((x) => x.name === d('status'))), props });
  }
  return out;
}

/** Text of a found (200) property, or undefined. */
export function propText(r: MultiResponse | undefined, name: string): string | undefined {
  const p = r?.props.get(name);
  return p && p.status === 200 ? p.el.text : undefined;
}

/** The href inside a found property (current-user-principal, calendar-home-set, …). */
export function propHref(r: MultiResponse | undefined, name: string): string | undefined {
  const p = r?.props.get(name);
  return p && p.status === 200 ? p.el.children.find((x) => x.name === d('href'))?.text.trim() : undefined;
}

export function syncTokenOf(text: string): string | undefined {
  return parse(text).children.find((x) => x.name === d('sync-token'))?.text.trim();
}

export const XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>';

export function propfindBody(props: string): string {
  return `${XML_HEADER}<D:propfind xmlns:D="DAV:" xmlns:C="${NS.C}" xmlns:CS="${NS.CS}" xmlns:A="${NS.A}" xmlns:CR="${NS.CR}"><D:prop>${props}</D:prop></D:propfind>`;
}

/** A calendar-query whose filter is `filter` inside the VCALENDAR comp-filter; `after` follows the filter (e.g. a timezone). */
export function calendarQuery(filter: string, props = '<D:getetag/>', after = ''): string {
  return `${XML_HEADER}<C:calendar-query xmlns:D="DAV:" xmlns:C="${NS.C}"><D:prop>${props}</D:prop><C:filter><C:comp-filter name="VCALENDAR">${filter}</C:comp-filter></C:filter>${after}</C:calendar-query>`;
}
