import { randomBytes } from 'node:crypto';
import type { RecurrenceId } from '../ical/recurrence.js';
import { badRequest, notFound } from './errors.js';

// Event ids follow from member URIs alone, so a deletion (the change log has only the URI)
// still names its event. `X.ics` with X a valid Google id is X; any other URI is 'z' +
// base32hex of its bytes: 'z' lies outside base32hex, so the two can never collide.
// An instance of a series is `${seriesId}_${recurrence id}` (UTC date-time, or the date
// for all-day series), as Google writes them; '_' is in neither alphabet.

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';
const CLIENT_ID = /^[a-v0-9]{5,1024}$/;
const ENCODED_ID = /^z[a-v0-9]*$/;
const EXTENSION = '.ics';
const TIMED_STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const DATE_STAMP = /^(\d{4})(\d{2})(\d{2})$/;

function base32hex(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32hex(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    value = ((value << 5) | BASE32HEX.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function eventIdOfUri(uri: string): string {
  const base = uri.endsWith(EXTENSION) ? uri.slice(0, -EXTENSION.length) : undefined;
  return base !== undefined && CLIENT_ID.test(base) ? base : `z${base32hex(Buffer.from(uri, 'utf8'))}`;
}

/** The member URI an event id names; 404 for an id no URI gives. */
function uriOfEventId(id: string): string {
  if (CLIENT_ID.test(id)) return `${id}${EXTENSION}`;
  const uri = ENCODED_ID.test(id) ? fromBase32hex(id.slice(1)).toString('utf8') : '';
  if (uri === '' || eventIdOfUri(uri) !== id) throw notFound();
  return uri;
}

/** A fresh id for an event a client inserts without one: 128 random bits. */
export function newEventId(): string {
  return base32hex(randomBytes(16));
}

export function instanceStamp(rid: RecurrenceId): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  if (rid.time.isDate) return `${pad(rid.time.year, 4)}${pad(rid.time.month)}${pad(rid.time.day)}`;
  return new Date(rid.epoch).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The instant an instance stamp names (UTC midnight for a date): instances are looked for around it. */
export function stampEpoch(stamp: string): number {
  const m = (TIMED_STAMP.exec(stamp) ?? DATE_STAMP.exec(stamp))!;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export function instanceId(seriesId: string, rid: RecurrenceId): string {
  return `${seriesId}_${instanceStamp(rid)}`;
}

/** An event id taken apart: the series' id and, for an instance, its stamp. */
export interface EventIdParts {
  seriesId: string;
  uri: string;
  stamp?: string;
}

export function parseEventId(id: string): EventIdParts {
  const [seriesId, stamp, ...rest] = id.split('_');
  if (rest.length > 0 || !seriesId) throw notFound();
  if (stamp !== undefined && !TIMED_STAMP.test(stamp) && !DATE_STAMP.test(stamp)) throw notFound();
  return { seriesId, uri: uriOfEventId(seriesId), ...(stamp !== undefined ? { stamp } : {}) };
}

/** A client-chosen id for insert: base32hex, 5–1024 characters (Google's rule); 400 otherwise. */
export function checkClientEventId(id: unknown): string {
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) {
    throw badRequest('Invalid resource id value.', 'id');
  }
  return id;
}
