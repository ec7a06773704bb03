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

const ESCAPES = new Map<number, Buffer>([
  [0x26, Buffer.from('&amp;')],
  [0x3c, Buffer.from('&lt;')],
  [0x3e, Buffer.from('&gt;')],
  [0x0d, Buffer.from('&#13;')],
]);
const SPECIAL = [...ESCAPES.keys()];

// The bytes to escape are ASCII, which never occurs inside a multi-byte UTF-8
// sequence, so UTF-8 data is escaped byte-wise exactly as escapeXml escapes the
// decoded text. Native indexOf finds them and the runs between are copied: no
// intermediate strings, which matters because a report splices hundreds of objects
// and the garbage, not the copying, is what costs.

/** The length of `data` escaped as element text. */
function escapedLength(data: Buffer): number {
  let n = data.length;
  for (const [b, esc] of ESCAPES) {
    for (let i = data.indexOf(b); i !== -1; i = data.indexOf(b, i + 1)) n += esc.length - 1;
  }
  return n;
}

/** Writes `data` escaped as element text into `out` at `offset`; returns the end offset. */
function writeEscaped(data: Buffer, out: Buffer, offset: number): number {
  const next = SPECIAL.map((b) => data.indexOf(b));
  let o = offset;
  let from = 0;
  for (;;) {
    let k = -1;
    for (let j = 0; j < next.length; j++) if (next[j]! !== -1 && (k === -1 || next[j]! < next[k]!)) k = j;
    if (k === -1) return o + data.copy(out, o, from);
    const at = next[k]!;
    o += data.copy(out, o, from, at);
    o += ESCAPES.get(SPECIAL[k]!)!.copy(out, o);
    from = at + 1;
    next[k] = data.indexOf(SPECIAL[k]!, from);
  }
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
    this.parts.push(data);
    return `${MARK_OPEN}${this.parts.length - 1}${MARK_CLOSE}`;
  }

  /** The bytes of `xml` with every marker replaced by its piece, escaped. */
  assemble(xml: string): Buffer {
    if (!xml.includes(MARK_OPEN)) return Buffer.from(xml, 'utf8');
    const pieces = xml.split(MARKER); // text, index, text, index, …, text
    const part = (i: number) => this.parts[Number(pieces[i])]!;
    let size = 0;
    for (let i = 0; i < pieces.length; i++) size += i % 2 === 0 ? Buffer.byteLength(pieces[i]!) : escapedLength(part(i));
    const out = Buffer.allocUnsafe(size);
    let o = 0;
    for (let i = 0; i < pieces.length; i++) o = i % 2 === 0 ? o + out.write(pieces[i]!, o, 'utf8') : writeEscaped(part(i), out, o);
    return out;
  }
}
