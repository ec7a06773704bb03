// SQL that both engines share word for word.

import type { CollectionFields } from './types.js';

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
