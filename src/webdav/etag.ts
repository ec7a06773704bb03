import { createHash } from 'node:crypto';

/** Strong ETag: a hash of the stored bytes, so equal content means equal ETag. */
export function etagOf(data: Buffer): string {
  return `"${createHash('sha1').update(data).digest('base64url')}"`;
}
