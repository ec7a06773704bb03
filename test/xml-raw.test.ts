// Stored data spliced into responses as escaped bytes (src/webdav/xml/raw.ts) must
// parse back as exactly the stored text, CRs included.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawParts } from '../src/webdav/xml/raw.js';
import { parse } from './helpers/xml.js';

const text = (size: number) => {
  const line = 'DESCRIPTION:a & b < c > d — Grüße 会議 🎉 "q" \uE000\r\n';
  return line.repeat(Math.ceil(size / Buffer.byteLength(line)));
};

test('spliced data parses back as its text, for ordinary and large (photo-sized) data', () => {
  for (const size of [0, 1, 700, 4096, 20_000]) {
    const stored = text(size);
    const raw = new RawParts();
    const a = raw.text(Buffer.from(stored, 'utf8'))!;
    const b = raw.text(Buffer.from('x&y\r', 'utf8'))!;
    const body = raw.assemble(`<r><d>${a}</d><e>ü${b}</e></r>`).toString('utf8');
    const [d, e] = parse(body).children;
    assert.equal(d!.text, stored, `${Buffer.byteLength(stored)} bytes`);
    assert.equal(e!.text, 'üx&y\r');
  }
});

test('data that is not UTF-8, or starts with a BOM, is left to the text path', () => {
  const raw = new RawParts();
  assert.equal(raw.text(Buffer.from([0x41, 0xff, 0x42])), undefined);
  assert.equal(raw.text(Buffer.from('\uFEFFBEGIN:VCALENDAR', 'utf8')), undefined);
  assert.ok(raw.assemble('<a>plain</a>').equals(Buffer.from('<a>plain</a>')));
});
