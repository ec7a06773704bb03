import { createHash } from 'node:crypto';

/**
 * A UID for an item that has none (Google and Outlook contact exports, some calendar
 * files), derived from its content: importing the same file again finds the same items
 * unchanged instead of adding copies.
 */
export function derivedUid(content: string): string {
  const h = createHash('sha256').update(content).digest('hex');
  // Shaped as an RFC 4122 name-based UUID (version 5 bits, variant 10).
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
