import { STATUS_CODES } from 'node:http';
import { dav } from './xml/names.js';
import { el, escapeXml, textEl, xmlDocument, type Xml } from './xml/write.js';

// Builders for RFC 4918 multistatus bodies.

/** Thunderbird compares this line literally, so it is always "HTTP/1.1 <code> <reason>". */
export function statusLine(code: number): string {
  return `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}`.trimEnd();
}

export function statusEl(code: number): Xml {
  return textEl(dav('status'), statusLine(code));
}

export function hrefEl(href: string): Xml {
  return el(dav('href'), escapeXml(href));
}

export function propstat(props: Xml, code: number): Xml {
  return el(dav('propstat'), el(dav('prop'), props) + statusEl(code));
}

export function response(href: string, content: Xml): Xml {
  return el(dav('response'), hrefEl(href) + content);
}

export function statusResponse(href: string, code: number): Xml {
  return response(href, statusEl(code));
}

export function multistatus(responses: Xml, extra: Xml = ''): string {
  return xmlDocument(dav('multistatus'), responses + extra);
}
