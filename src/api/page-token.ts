import { badRequest } from './errors.js';

// A page token carries where the previous page ended and the sync state of the listing
// it continues: the change counter read before its first page (the last page's
// nextSyncToken, so nothing written meanwhile is missed) and, for an incremental
// sync, the token it started from. Opaque to clients; checked, never trusted.

/**
 * Where an item stands in a listing's order: its sort value (the change counter, start
 * or updated time; 0 in URI order), its member URI, and its instance's recurrence id
 * (WHOLE for an event listed as a whole or a series' master).
 */
export type ItemKey = [number, string, number];

export const WHOLE = Number.MIN_SAFE_INTEGER;

export function compareKeys(a: ItemKey, b: ItemKey): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];
}

export interface PageState {
  collectionId: number;
  /** The collection's change counter when the listing began. */
  snapshot: number;
  /** For an incremental sync: the counter it syncs from. */
  since: number | null;
  after: ItemKey;
}

export function pageTokenOf(state: PageState): string {
  const { collectionId, snapshot, since, after } = state;
  return Buffer.from(JSON.stringify([collectionId, snapshot, since, after]), 'utf8').toString('base64url');
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function parsePageToken(token: string, collectionId: number): PageState {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const invalid = () => badRequest('Invalid page token', 'pageToken');
  if (!Array.isArray(value) || value.length !== 4) throw invalid();
  const [c, snapshot, since, after] = value as unknown[];
  const keyOk = Array.isArray(after) && after.length === 3 && Number.isSafeInteger(after[0]) && typeof after[1] === 'string' && Number.isSafeInteger(after[2]);
  if (c !== collectionId || !isCount(snapshot) || !(since === null || isCount(since)) || !keyOk) throw invalid();
  return { collectionId, snapshot, since: since as number | null, after: after as ItemKey };
}
