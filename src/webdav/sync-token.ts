import { DavError } from './errors.js';
import { dav } from './xml/names.js';

// Sync tokens (RFC 6578) and ctags are the collection's change counter, qualified by the
// collection id so a token can never be replayed against another (or a re-created) collection.

const PREFIX = 'urn:davenport:sync:';

export function syncTokenOf(collectionId: number, counter: number): string {
  return `${PREFIX}${collectionId}:${counter}`;
}

/** The counter a client's token stands for; 403 valid-sync-token when it is not ours. */
export function parseSyncToken(token: string, collectionId: number, current: number): number {
  const m = token.trim().startsWith(PREFIX) ? /^(\d+):(\d+)$/.exec(token.trim().slice(PREFIX.length)) : null;
  const counter = m && Number(m[1]) === collectionId ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(counter) || counter > current) {
    throw new DavError(403, 'The sync token is not valid for this collection', dav('valid-sync-token'));
  }
  return counter;
}
