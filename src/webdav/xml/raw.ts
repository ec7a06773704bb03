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

const AMP = 0x26, LT = 0x3c, GT = 0x3e, CR = 0x0d;
const ESCAPES: Record<number, Buffer> = {
  [AMP]: Buffer.from('&amp;'),
  [LT]: Buffer.from('&lt;'),
  [GT]: Buffer.from('&gt;'),
  [CR]: Buffer.from('&#13;'),
};

/** Element text from UTF-8 bytes, escaped as escapeXml would escape the decoded text. */
export function escapeXmlBytes(data: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === AMP || b === LT || b === GT || b === CR) extra += ESCAPES[b]!.length - 1;
  }
  if (extra === 0) return data;
  const out = Buffer.allocUnsafe(data.length + extra);
  let o = 0;
  let from = 0;
  for (let i = 0; i < data.length; i++) {
    const esc = ESCAPES[data[i]!];
    if (!esc) continue;
    o += data.copy(out, o, from, i);
    o += esc.copy(out, o);
    from = i + 1;
  }
  data.copy(out, o, from);
  return out;
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
