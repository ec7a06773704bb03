import { isUtf8 } from 'node:buffer';
import type { Xml } from './write.js';

// Stored object data is already UTF-8: escaping it byte by byte and splicing it into
// the response avoids decoding it to a string, escaping that, and encoding the whole
// response again (most of a multiget's time). The response XML carries a marker where
// each piece goes; escapeXml never lets a marker through from user data.

export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/;

// The bytes to escape are ASCII, which never occurs inside a multi-byte UTF-8
// sequence, so UTF-8 data is escaped byte-wise exactly as escapeXml escapes the
// decoded text. Read as Latin-1, one char per byte, the data is escaped by native
// string replaces and written back byte for byte: several times faster than a loop
// over the bytes in JS on large data (photos), and only what needs a replace (line
// ends, nearly always) leaves a copy behind.

/** `data` escaped, as a Latin-1 string of the escaped bytes. */
function escapedLatin1(data: Buffer): string {
  let text = data.toString('latin1');
  if (text.includes('&')) text = text.replaceAll('&', '&amp;');
  if (text.includes('<')) text = text.replaceAll('<', '&lt;');
  if (text.includes('>')) text = text.replaceAll('>', '&gt;');
  if (text.includes('\r')) text = text.replaceAll('\r', '&#13;');
  return text;
}

/** The byte pieces of one response, referenced from its XML by markers. */
export class RawParts {
  /** Each piece is let go once assembled: a streamed report does not hold them all. */
  private readonly parts: (Buffer | undefined)[] = [];

  /**
   * Stored data as element text: spliced in as escaped bytes when it is UTF-8 and
   * needs no rewriting, otherwise undefined (the caller escapes the text itself).
   */
  text(data: Buffer): Xml | undefined {
    if (!isUtf8(data) || (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf)) return undefined;
    this.parts.push(data);
    return `${MARK_OPEN}${this.parts.length - 1}${MARK_CLOSE}`;
  }

  /** The bytes of `xml` with every marker replaced by its piece. */
  assemble(xml: string): Buffer {
    if (!xml.includes(MARK_OPEN)) return Buffer.from(xml, 'utf8');
    const pieces = xml.split(MARKER); // text, index, text, index, …, text
    let size = 0;
    for (let i = 0; i < pieces.length; i++) {
      if (i % 2 === 0) {
        size += Buffer.byteLength(pieces[i]!);
      } else {
        const n = Number(pieces[i]);
        pieces[i] = escapedLatin1(this.parts[n]!);
        this.parts[n] = undefined;
        size += pieces[i]!.length;
      }
    }
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (let i = 0; i < pieces.length; i++) o += out.write(pieces[i]!, o, i % 2 === 0 ? 'utf8' : 'latin1');
    return out;
  }
}
