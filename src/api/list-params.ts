import type { Context } from 'koa';
import { badRequest } from './errors.js';
import type { ListQuery } from './events-list.js';
import { booleanParam, countParam, enumParam, stringParam, timeParam } from './params.js';

/** Google's page size: 250 unless asked, never more than 2500. */
const DEFAULT_PAGE = 250;
const MAX_PAGE = 2500;

/** What a sync token may not be combined with (the initial sync's restrictions do not apply to changes). */
const NOT_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'q', 'timeMin', 'timeMax', 'updatedMin', 'privateExtendedProperty', 'sharedExtendedProperty'];

/** The window and paging parameters events.list and events.instances share. */
export function windowParams(ctx: Context): Pick<ListQuery, 'maxResults' | 'lo' | 'hi' | 'showDeleted' | 'pageToken'> {
  const lo = timeParam(ctx, 'timeMin') ?? -Infinity;
  const hi = timeParam(ctx, 'timeMax') ?? Infinity;
  if (lo >= hi) throw badRequest('The specified time range is empty.', 'timeMax', 'timeRangeEmpty');
  const pageToken = stringParam(ctx, 'pageToken');
  return {
    maxResults: countParam(ctx, 'maxResults', DEFAULT_PAGE, MAX_PAGE), lo, hi,
    showDeleted: booleanParam(ctx, 'showDeleted') ?? false,
    ...(pageToken ? { pageToken } : {}),
  };
}

/** events.list's query parameters; 400 for any that cannot be honoured. */
export function listParams(ctx: Context): ListQuery {
  const syncToken = stringParam(ctx, 'syncToken');
  if (syncToken !== undefined) {
    if (NOT_WITH_SYNC_TOKEN.some((name) => ctx.query[name] !== undefined)) {
      throw badRequest('Sync token cannot be used with other request restrictions.', 'syncToken', 'syncTokenWithRequestRestrictions');
    }
  }
  const singleEvents = booleanParam(ctx, 'singleEvents') ?? false;
  const orderBy = enumParam(ctx, 'orderBy', ['startTime', 'updated'] as const);
  if (orderBy === 'startTime' && !singleEvents) {
    throw badRequest('The requested ordering is not available for the particular query.', 'orderBy');
  }
  const q = stringParam(ctx, 'q');
  const iCalUID = stringParam(ctx, 'iCalUID');
  const updatedMin = timeParam(ctx, 'updatedMin');
  return {
    ...windowParams(ctx), singleEvents,
    terms: (q ?? '').toLowerCase().split(/\s+/).filter((t) => t !== ''),
    ...(orderBy ? { orderBy } : {}),
    ...(iCalUID !== undefined ? { iCalUID } : {}),
    ...(updatedMin !== undefined ? { updatedMin } : {}),
    ...(syncToken ? { syncToken } : {}),
  };
}
