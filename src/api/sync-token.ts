import { DavError } from '../webdav/errors.js';
import { parseSyncToken as parseDavSyncToken } from '../webdav/sync-token.js';
import { ApiError } from './errors.js';

// The JSON API's sync token is the CalDAV sync token (webdav/sync-token.ts): the same
// counter of the same change log, so a program may switch protocols without a full sync.
// A token of another calendar, or one that is not ours at all, is as useless as an
// expired one: 410, full sync.

export { syncTokenOf } from '../webdav/sync-token.js';

/** Google's answer to a token it cannot sync from; clients then wipe and sync afresh. */
export function fullSyncRequired(): ApiError {
  return new ApiError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', 'syncToken', 'parameter', 'calendar');
}

/** The counter a token stands for; 410 unless it is this collection's and not ahead of it. */
export function parseSyncToken(token: string, collectionId: number, current: number): number {
  try {
    return parseDavSyncToken(token, collectionId, current);
  } catch (e) {
    if (e instanceof DavError) throw fullSyncRequired();
    throw e;
  }
}
