import { STATUS_CODES } from 'node:http';
import { DavError } from './errors.js';
import { dav } from './xml/names.js';
import { el, escapeXml, textEl, xmlDocument, xmlDocumentFrame, type Xml } from './xml/write.js';

// Builders for RFC 4918 multistatus bodies.

// Built once: a name made afresh for every element is hashed afresh by every lookup.
const STATUS = dav('status');
const HREF = dav('href');
const PROPSTAT = dav('propstat');
const PROP = dav('prop');
const RESPONSE = dav('response');
const MULTISTATUS = dav('multistatus');
const ERROR = dav('error');
const RESPONSEDESCRIPTION = dav('responsedescription');

/** Thunderbird compares this line literally, so it is always "HTTP/1.1 <code> <reason>". */
function statusLine(code: number): string {
  return `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}`.trimEnd();
}

const statusElements = new Map<number, Xml>();

export function statusEl(code: number): Xml {
  let xml = statusElements.get(code);
  if (xml === undefined) statusElements.set(code, (xml = textEl(STATUS, statusLine(code))));
  return xml;
}

export function hrefEl(href: string): Xml {
  return el(HREF, escapeXml(href));
}

export function propstat(props: Xml, code: number): Xml {
  return el(PROPSTAT, el(PROP, props) + statusEl(code));
}

export function response(href: string, content: Xml): Xml {
  return el(RESPONSE, hrefEl(href) + content);
}

export function statusResponse(href: string, code: number): Xml {
  return response(href, statusEl(code));
}

/** A DavError as a response for `href`: its status, DAV:error and reason (RFC 4918 §14.24). */
export function errorResponse(href: string, e: DavError): Xml {
  const error = e.precondition ? el(ERROR, el(e.precondition, e.detailXml ?? '')) : '';
  return response(href, statusEl(e.status) + error + textEl(RESPONSEDESCRIPTION, e.message));
}

/**
 * The responses until one fails with a DavError. The status line is sent by then, so
 * the error is answered in-band, as the last response, for `href` (the request-URI, as
 * RFC 6578 §3.6 reports a truncated result), and the multistatus ends complete.
 */
export async function* untilDavError(responses: AsyncIterable<Xml>, href: string): AsyncGenerator<Xml> {
  try {
    yield* responses;
  } catch (e) {
    if (!(e instanceof DavError)) throw e;
    yield errorResponse(href, e);
  }
}

export function multistatus(responses: Xml, extra: Xml = ''): string {
  return xmlDocument(MULTISTATUS, responses + extra);
}

/**
 * The responses of a page of members, one string; awaited together when any had to
 * read the store, so a page costs one await, not one per member.
 */
export function joinResponses(responses: (Xml | Promise<Xml>)[]): Xml | Promise<Xml> {
  if (responses.every((x) => typeof x === 'string')) return (responses as Xml[]).join('');
  return Promise.all(responses).then((all) => all.join(''));
}

const CHUNK = 64 * 1024;

/**
 * A multistatus body produced lazily, response by response, in chunks of about 64 KB:
 * a listing of 50,000 members is never held in memory as one string. Everything that
 * can fail must be checked before this starts: the status line is already sent.
 */
export async function* multistatusChunks(
  responses: AsyncIterable<Xml> | Iterable<Xml>, extra: () => Xml = () => '',
): AsyncGenerator<string> {
  const { open, close } = xmlDocumentFrame(MULTISTATUS);
  let buffer = open;
  for await (const r of responses) {
    buffer += r;
    if (buffer.length >= CHUNK) {
      yield buffer;
      buffer = '';
    }
  }
  yield buffer + extra() + close;
}
