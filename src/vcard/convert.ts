// vCard 3.0 (RFC 2426) ↔ 4.0 (RFC 6350) conversion, so a client gets the version it
// asks for whatever was stored (RFC 6352 §10.4 version attribute). It works on the
// verbatim content lines (see verbatim.ts) and touches only what differs between the
// versions; converting back undoes each change:
// - VERSION, written first (4.0 requires it there);
// - X-ADDRESSBOOKSERVER-KIND / -MEMBER (Apple's 3.0 groups) ↔ KIND / MEMBER;
// - inline media (PHOTO, LOGO, SOUND, KEY): ENCODING=b;TYPE=JPEG:<base64> ↔
//   data:image/jpeg;base64,<base64>;
// - TYPE=pref ↔ PREF=1;
// - a TEL that is not a URI gets VALUE=text in 4.0, where a TEL is a URI by default;
// - a 4.0 card without N gets an empty one in 3.0, which requires N (RFC 2426 §5).
// Every other property, parameter and value is carried over unchanged.

import type { VcardVersion } from './types.js';
import { readProperties, writeCard, type RawProperty } from './verbatim.js';

type Params = RawProperty[1];

/** Property renames from 3.0 to 4.0; the reverse applies from 4.0 to 3.0. */
export const RENAMES_3_TO_4: Readonly<Record<string, string>> = {
  'x-addressbookserver-kind': 'kind',
  'x-addressbookserver-member': 'member',
};
const RENAMES_4_TO_3: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(RENAMES_3_TO_4).map(([a, b]) => [b, a]));

const MEDIA: Readonly<Record<string, string>> = { photo: 'image', logo: 'image', sound: 'audio', key: 'application' };

/** Media types recognisable from the first base64 characters, for 3.0 photos without TYPE. */
const SIGNATURES: readonly [string, string][] = [['/9j/', 'image/jpeg'], ['iVBORw0KGgo', 'image/png'], ['R0lGOD', 'image/gif']];

const DATA_URI = /^data:([^;,]*);base64,/i;

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function setList(params: Params, name: string, values: string[]): void {
  if (values.length === 0) delete params[name];
  else params[name] = values.length === 1 ? values[0]! : values;
}

function mediaTo4(p: RawProperty): void {
  const base = MEDIA[p[0]];
  const encoding = list(p[1].encoding).map((e) => e.toLowerCase());
  // A 3.0 PHOTO is binary unless VALUE=uri; Thunderbird leaves out ENCODING.
  const inline = encoding.includes('b') || encoding.includes('base64') || (p[2] !== 'uri' && !/^[a-z][a-z0-9+.-]*:/i.test(p[3]));
  if (!base || !inline) return;
  const declared = list(p[1].type)[0]?.toLowerCase();
  const sniffed = SIGNATURES.find(([sig]) => p[3].startsWith(sig))?.[1];
  const mediaType = declared ? (declared.includes('/') ? declared : `${base}/${declared}`) : (sniffed ?? 'application/octet-stream');
  delete p[1].encoding;
  if (declared) setList(p[1], 'type', list(p[1].type).slice(1));
  p[2] = 'unknown';
  p[3] = `data:${mediaType};base64,${p[3].replace(/\s+/g, '')}`;
}

function mediaTo3(p: RawProperty): void {
  const m = MEDIA[p[0]] ? DATA_URI.exec(p[3]) : null;
  if (!m) return; // other URIs are URIs in 3.0 too
  const subtype = m[1]!.split('/')[1];
  p[1].encoding = 'b';
  if (subtype) setList(p[1], 'type', [subtype.toUpperCase(), ...list(p[1].type)]);
  p[2] = 'unknown';
  p[3] = p[3].slice(m[0].length);
}

function prefTo4(p: RawProperty): void {
  const types = list(p[1].type);
  if (!types.some((t) => t.toLowerCase() === 'pref')) return;
  setList(p[1], 'type', types.filter((t) => t.toLowerCase() !== 'pref'));
  p[1].pref ??= '1';
}

function prefTo3(p: RawProperty): void {
  if (p[1].pref !== '1') return; // other ranks have no 3.0 form and stay a PREF parameter
  delete p[1].pref;
  setList(p[1], 'type', [...list(p[1].type), 'pref']);
}

function telTo4(p: RawProperty): void {
  if (p[0] === 'tel' && p[2] === 'unknown' && !/^[a-z][a-z0-9+.-]*:/i.test(p[3])) p[2] = 'text';
}

function telTo3(p: RawProperty): void {
  if (p[0] === 'tel' && p[2] === 'text') p[2] = 'unknown';
}

function convertProperty(p: RawProperty, target: VcardVersion): void {
  if (target === '4.0') {
    p[0] = RENAMES_3_TO_4[p[0]] ?? p[0];
    mediaTo4(p);
    prefTo4(p);
    telTo4(p);
  } else {
    p[0] = RENAMES_4_TO_3[p[0]] ?? p[0];
    mediaTo3(p);
    prefTo3(p);
    telTo3(p);
  }
}

/** A validated card's text, converted to the other version `target`. */
export function convertCard(text: string, target: VcardVersion): string {
  const props = readProperties(text);
  for (const p of props) convertProperty(p, target);
  if (target === '3.0' && !props.some((p) => p[0] === 'n')) props.push(['n', {}, 'unknown', ';;;;']);
  return writeCard(target, props);
}
