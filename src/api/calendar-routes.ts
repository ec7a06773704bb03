import { calendarListEntry, calendarResource } from './calendar-resource.js';
import { calendarFor, calendarsOf, findCalendar } from './calendars.js';
import type { ApiDeps, ApiRouter } from './deps.js';

// calendarList.list/get and calendars.get. A user has a handful of calendars: the list
// is one page, one lookup.

export function registerCalendarRoutes(router: ApiRouter, deps: ApiDeps): void {
  router.get('/users/me/calendarList', async (ctx) => {
    const calendars = await calendarsOf(deps.dav, ctx.state.user);
    ctx.body = {
      kind: 'calendar#calendarList', etag: `"${calendars.map((c) => c.calendar.collection.id).join('-')}"`,
      items: calendars.map((c) => calendarListEntry(c.calendar, c.primary)),
    };
  });
  router.get('/users/me/calendarList/:calendarId', async (ctx) => {
    const found = findCalendar(await calendarsOf(deps.dav, ctx.state.user), ctx.params.calendarId);
    ctx.body = calendarListEntry(found.calendar, found.primary);
  });
  router.get('/calendars/:calendarId', async (ctx) => {
    ctx.body = calendarResource(await calendarFor(deps.dav, ctx.state.user, ctx.params.calendarId));
  });
}
