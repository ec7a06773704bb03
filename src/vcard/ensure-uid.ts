// RFC 5995 add-member for vCards: a card POSTed without a UID (an export from Google,
// Outlook or a phone) gets one, so it can be stored; every other byte stays as sent.

import { randomUUID } from 'node:crypto';
import { decodeText } from '../text/decode.js';
import { parseCard } from './card.js';

export function ensureCardUid(data: Buffer): Buffer {
  let hasUid: boolean;
  try {
    hasUid = parseCard(decodeText(data)).hasProperty('uid');
  } catch {
    return data; // not a single readable card: validation says why
  }
  if (hasUid) return data;
  // latin1 maps bytes 1:1, so indexes found in the string are byte offsets.
  const bytes = data.toString('latin1');
  const end = [...bytes.matchAll(/(\r?\n)END:VCARD/gi)].pop();
  if (!end) return data;
  const at = end.index + end[1]!.length;
  const line = Buffer.from(`UID:urn:uuid:${randomUUID()}${end[1]}`, 'latin1');
  return Buffer.concat([data.subarray(0, at), line, data.subarray(at)]);
}
