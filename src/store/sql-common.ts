// SQL that both engines share word for word.

import type { CollectionFields, Subscription, SubscriptionScope } from './types.js';

/** Rows per keyset page of a member listing. */
export const PAGE = 500;

/** Maps the writable collection fields to their columns (the only names ever put into SQL). */
export const FIELD_COLUMNS: Record<keyof CollectionFields, string> = {
  displayname: 'displayname',
  description: 'description',
  color: 'color',
  sortOrder: 'sort_order',
  timezone: 'timezone',
  components: 'components',
};

/** The one waiting job per (queue, key) that coalescing keeps (the partial unique index). */
export const WAITING_KEY = 'ON CONFLICT (queue, key) WHERE key IS NOT NULL AND locked_until IS NULL';

/** How a subscription's scope is stored: 'c:<collection id>' or 'h:<kind>'. */
export function scopeKey(scope: SubscriptionScope): string {
  return 'collectionId' in scope ? `c:${scope.collectionId}` : `h:${scope.homeKind}`;
}

/** The columns of a subscription row, as subscriptionOf reads them. */
export const SUBSCRIPTION_COLUMNS = `id, public_id AS "publicId", user_id AS "userId", transport, scope, name, address, details,
  expires_at AS "expiresAt", created_at AS "createdAt"`;

export interface SubscriptionRow extends Omit<Subscription, 'scope'> {
  scope: string;
}

export function subscriptionOf(row: SubscriptionRow): Subscription {
  const scope: SubscriptionScope = row.scope.startsWith('c:') ? { collectionId: Number(row.scope.slice(2)) } : { homeKind: row.scope.slice(2) };
  return { ...row, scope };
}

export const APP_PASSWORD_COLUMNS = `id, user_id AS "userId", label, hash, created_at AS "createdAt", last_used_at AS "lastUsedAt"`;
