// A vCard address object resource (RFC 6352 §5.1): validation for PUT and parsing of
// stored data for queries and conversion. ical.js does the parsing, for 3.0 and 4.0.

import ICAL from 'ical.js';
import { repairCard } from './lenient.js';
import type { VcardVersion } from './types.js';
import { MAX_NESTING, nestsTooDeep } from '../text/nesting.js';

export class VcardDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VcardDataError';
  }
}

/** ical.js quotes the whole offending line, which may be a 40 KB photo. */
function shorten(message: string): string {
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/** ical.js's reading of the card; where it refuses what real clients write, of a repaired copy. */
function readRepaired(text: string): unknown[] {
  // CR CR LF (a file converted to DOS line ends twice) would leave a CR in every name.
  const lines = text.includes('\r\r') ? text.replace(/\r+\n/g, '\r\n') : text;
  try {
    return ICAL.parse(lines) as unknown[];
  } catch (e) {
    const repaired = /^VERSION:\s*2\.1\s*$/im.test(lines) ? null : repairCard(lines);
    if (repaired === null) throw e;
    try {
      return ICAL.parse(repaired) as unknown[];
    } catch {
      throw e; // the original error says more about what the client sent
    }
  }
}

/** A stored or uploaded vCard as ical.js sees it. */
export function parseCard(text: string): ICAL.Component {
  let jcard: unknown[];
  try {
    jcard = readRepaired(text);
  } catch (e) {
    // vCard 2.1 (Outlook, old Android, Nokia) uses bare parameters and quoted-printable
    // soft line breaks, which a 3.0/4.0 parser cannot read; say so rather than quote the line.
    const v21 = /^VERSION:\s*2\.1\s*$/im.test(text) ? 'vCard 2.1 is not supported, send vCard 3.0 or 4.0: ' : '';
    throw new VcardDataError(`${v21}not a valid vCard: ${shorten((e as Error).message)}`);
  }
  if (jcard.length === 0) throw new VcardDataError('no vCard found');
  if (Array.isArray(jcard[0])) {
    throw new VcardDataError(`contains ${jcard.length} vCards; an address object resource holds exactly one`);
  }
  if (nestsTooDeep(jcard)) throw new VcardDataError(`components nested deeper than ${MAX_NESTING} levels`);
  const card = new ICAL.Component(jcard);
  // JSON shows stray characters, e.g. the "\r" of a file with CR CR LF line ends.
  if (card.name !== 'vcard') throw new VcardDataError(`top-level component is ${JSON.stringify(card.name.toUpperCase())}, not "VCARD"`);
  return card;
}

/**
 * The first value of a property as text. A VALUE parameter of the wrong type (e.g.
 * UID;VALUE=DATE-TIME:abc) makes ical.js fail to read the value: the card is invalid.
 */
function firstText(card: ICAL.Component, name: string): string {
  try {
    return String(card.getFirstPropertyValue(name) ?? '');
  } catch (e) {
    throw new VcardDataError(`${name.toUpperCase()} cannot be read: ${(e as Error).message}`);
  }
}

export function versionOf(card: ICAL.Component): string {
  return firstText(card, 'version');
}

/**
 * Checks what RFC 6352 §5.1 and the vCard RFCs require of a stored card and returns its
 * UID and version. A UID is required: RFC 6352 §6.3.2.3 lets a server refuse a card
 * without one, and without it a client cannot match the card across devices.
 */
export function validateCard(text: string): { uid: string; version: VcardVersion } {
  const card = parseCard(text);
  const version = versionOf(card);
  if (version === '2.1') throw new VcardDataError('vCard 2.1 is not supported, send vCard 3.0 or 4.0');
  if (version !== '3.0' && version !== '4.0') {
    throw new VcardDataError(version === '' ? 'VERSION is missing' : `unsupported vCard version ${version} (3.0 and 4.0 are supported)`);
  }
  // RFC 2426 also requires N, but Nextcloud (Sabre) writes 3.0 cards without it; only
  // FN, which every client needs to show the contact, is insisted on.
  if (!card.hasProperty('fn')) throw new VcardDataError('FN is missing (required in vCard 3.0 and 4.0)');
  const uid = firstText(card, 'uid').trim();
  if (uid === '') {
    throw new VcardDataError('UID is missing: give the contact a UID, or POST it to the address book to have one assigned');
  }
  return { uid, version };
}
