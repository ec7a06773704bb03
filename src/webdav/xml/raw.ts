import { isUtf8 } from 'node:buffer';
import type { Xml } from './write.js';

// Stored calendar and address data is already UTF-8: escaping it byte by byte and
// splicing it into the response avoids decoding it to a string, escaping that, and
// encoding the whole response again (most of a multiget's time). The response XML
// carries a marker where each piece goes; escapeXml never lets a marker through
// from user data.

export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/;

/**
 * Element text from UTF-8 bytes, escaped as escapeXml would escape the decoded text.
 * Read as Latin-1 the bytes map 1:1 to a one-byte string, and the characters to
 * escape are ASCII, which never occurs inside a multi-byte UTF-8 sequence: native
 * string replaces on that string are the fastest way through kilobytes of photo.
 */
export function escapeXmlBytes(data: Buffer): Buffer {
  const bytes = data.toString('latin1');
  if (!/[&<>\r]/.test(bytes)) return data;
  const escaped = bytes.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\r', '&#13;');
  return Buffer.from(escaped, 'latin1');
}

/** The byte pieces of one response, referenced from its XML by markers. */
export class RawParts {
  private readonly parts: Buffer[] = [];

  /**
   * Stored data as element text: spliced in as escaped bytes when it is UTF-8 and
   * needs no rewriting, otherwise undefined (the caller escapes the text itself).
   */
  text(data: Buffer): Xml | undefined {
    if (!isUtf8(data) || (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf)) return undefined;
    this.parts.push(escapeXmlBytes(data));
    return `${MARK_OPEN}${this.parts.length - 1}${MARK_CLOSE}`;
  }

  /** The bytes of `xml` with every marker replaced by its piece. */
  assemble(xml: string): Buffer {
    if (!xml.includes(MARK_OPEN)) return Buffer.from(xml, 'utf8');
    const pieces = xml.split(MARKER); // text, index, text, index, …, text
    return Buffer.concat(pieces.map((p, i) => (i % 2 === 0 ? Buffer.from(p, 'utf8') : this.parts[Number(p)]!)));
  }
}
