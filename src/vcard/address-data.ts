// RFC 6352 §10.4 address-data: the stored card, in the version the client asked for,
// with only the properties it asked for.

import { convertCard } from './convert.js';
import type { AddressDataRequest } from './types.js';
import { readProperties, writeCard } from './verbatim.js';

/** The version a stored (validated) card declares. */
function declaredVersion(text: string): string | undefined {
  return readProperties(text).find((p) => p[0] === 'version')?.[3];
}

/** Cheap check for the common case; the full reading above decides when it fails. */
function startsWithVersion(text: string, version: string): boolean {
  return new RegExp(`^BEGIN:VCARD\\r?\\nVERSION:${version.replace('.', '\\.')}\\r?\\n`, 'i').test(text.replace(/^\uFEFF/, ''));
}

/** Whether the address-data is the stored card as it is, judged from its first line(s). */
export function isStoredForm(head: string, request: AddressDataRequest): boolean {
  return request.props === undefined && (request.version === undefined || startsWithVersion(head, request.version));
}

/**
 * The address-data for a stored card. The common case, the whole card in its stored
 * version, returns the stored text without parsing: multiget answers stay cheap.
 */
export function renderAddressData(text: string, request: AddressDataRequest): string {
  const { version, props } = request;
  let out = text;
  if (version !== undefined && !startsWithVersion(text, version) && declaredVersion(text) !== version) out = convertCard(text, version);
  if (props === undefined) return out;
  const wanted = new Map(props.map((p) => [p.name.toLowerCase(), p.novalue]));
  const all = readProperties(out);
  const kept = all.filter((p) => wanted.has(p[0]));
  for (const p of kept) if (wanted.get(p[0])) p[3] = '';
  return writeCard(all.find((p) => p[0] === 'version')?.[3] ?? '', kept);
}
