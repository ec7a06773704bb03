import { ApiError } from './errors.js';

// The JSON API's sync token: the collection's change counter (the CalDAV sync token's
// counter) with the collection's id, opaque to clients. A token of another calendar,
// or one that is not ours at all, is as useless as an expired one: 410, full sync.

const PREFIX = 'davenport-sync:';

export function syncTokenOf(collectionId: number, counter: number): string {
  return Buffer.from(`${PREFIX}${collectionId}:${counter}`, 'utf8').toString('base64url');
}

/** Google's answer to a token it cannot sync from; clients then wipe and sync afresh. */
export function fullSyncRequired(): ApiError {
  return new ApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', 'syncToken', 'parameter', 'calendar');
}

/** The counter a token stands for; 410 unless it is this collection's and not ahead of it. */
export function parseSyncToken(token: string, collectionId: number, current: number): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = text.startsWith(PREFIX) ? /^(\d{1,15}):(\d{1,15})$/.exec(text.slice(PREFIX.length)) : null;
  if (!m || Number(m[1]) !== collectionId || Number(m[2]) > current) throw fullSyncRequired();
  return Number(m[2]);
}
