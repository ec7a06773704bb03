import { isUtf8 } from 'node:buffer';
import type { Xml } from './write.js';

// Stored object data is already UTF-8: escaping it byte by byte and splicing it into
// the response avoids decoding it to a string, escaping that, and encoding the whole
// response again (most of a multiget's time). The response XML carries a marker where
// each piece goes; escapeXml never lets a marker through from user data.

export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/;

const AMP = 0x26, LT = 0x3c, GT = 0x3e, CR = 0x0d;

// The bytes to escape are ASCII, which never occurs inside a multi-byte UTF-8
// sequence, so UTF-8 data is escaped byte-wise exactly as escapeXml escapes the
// decoded text. What costs in a report of hundreds of objects is garbage, not
// copying: the bytes to escape are counted by native indexOf, then the data is
// written by a loop straight into the response, without a single allocation.
// (Native replaceAll on a Latin-1 view is faster per byte on a
// photo, but leaves six copies of it behind; Buffer#copy of the runs between
// special bytes allocates a view per run.)

/** How many times `byte` occurs: native memchr scans, no per-byte JS. */
function count(data: Buffer, byte: number): number {
  let n = 0;
  for (let i = data.indexOf(byte); i !== -1; i = data.indexOf(byte, i + 1)) n++;
  return n;
}

/** The length of `data` escaped: &amp; and &#13; add 4 bytes, &lt; and &gt; 3. */
function escapedLength(data: Buffer): number {
  return data.length + 4 * (count(data, AMP) + count(data, CR)) + 3 * (count(data, LT) + count(data, GT));
}

function writeEscaped(data: Buffer, out: Buffer, offset: number, escapedSize: number): number {
  if (escapedSize === data.length) return offset + data.copy(out, offset);
  let o = offset;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b > GT || (b !== AMP && b !== LT && b !== GT && b !== CR)) {
      out[o++] = b;
      continue;
    }
    out[o++] = AMP;
    if (b === AMP) { out[o++] = 0x61; out[o++] = 0x6d; out[o++] = 0x70; } // amp
    else if (b === LT) { out[o++] = 0x6c; out[o++] = 0x74; } // lt
    else if (b === GT) { out[o++] = 0x67; out[o++] = 0x74; } // gt
    else { out[o++] = 0x23; out[o++] = 0x31; out[o++] = 0x33; } // #13
    out[o++] = 0x3b;
  }
  return o;
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
    const part = (i: number) => this.parts[Number(pieces[i])]!;
    const release = (i: number) => (this.parts[Number(pieces[i])] = undefined);
    const sizes = new Array<number>(pieces.length);
    let size = 0;
    for (let i = 0; i < pieces.length; i++) size += sizes[i] = i % 2 === 0 ? Buffer.byteLength(pieces[i]!) : escapedLength(part(i));
    const out = Buffer.allocUnsafe(size);
    let o = out.write(pieces[0]!, 0, 'utf8');
    for (let i = 1; i < pieces.length; i += 2) {
      o = writeEscaped(part(i), out, o, sizes[i]!);
      release(i);
      o += out.write(pieces[i + 1]!, o, 'utf8');
    }
    return out;
  }
}
