import type { ApplyMode } from '../ical/event-json-apply.js';
import { calendarFor } from './calendars.js';
import type { ApiContext, ApiDeps, ApiRouter } from './deps.js';
import { badRequest } from './errors.js';
import { parseEventId } from './event-ids.js';
import { findEvent } from './event-lookup.js';
import { deleteEvent, insertEvent, modifyEvent, type EventWriter } from './event-write.js';
import { listEvents, listInstances } from './events-list.js';
import { readJsonBody } from './json-body.js';
import { listParams, windowParams } from './list-params.js';

// events.list/get/insert/update/patch/delete/instances
// (developers.google.com/workspace/calendar/api/v3/reference/events).

const EVENTS = '/calendars/:calendarId/events';
const EVENT = `${EVENTS}/:eventId`;

export function registerEventRoutes(router: ApiRouter, deps: ApiDeps): void {
  const calendar = (ctx: ApiContext) => calendarFor(deps.dav, ctx.state.user, ctx.params.calendarId);
  const writer = async (ctx: ApiContext): Promise<EventWriter> => ({
    dav: deps.dav, collection: await calendar(ctx), user: ctx.state.user,
    ifMatch: ctx.get('If-Match') || undefined,
    origin: { header: (name) => ctx.get(name) || undefined },
  });
  /** Answers with the event as stored now: what a CalDAV client would read back. */
  const answerEvent = async (ctx: ApiContext, eventId: string, status = 200) => {
    const { item } = await findEvent(deps.dav, await calendar(ctx), ctx.state.user, eventId);
    ctx.status = status;
    ctx.body = item.render();
  };
  const modify = (mode: ApplyMode) => async (ctx: ApiContext) => {
    const body = await readJsonBody(ctx);
    await modifyEvent(await writer(ctx), ctx.params.eventId, body, mode);
    await answerEvent(ctx, ctx.params.eventId);
  };

  router.get(EVENTS, async (ctx: ApiContext) => {
    const query = listParams(ctx);
    ctx.body = await listEvents(deps.dav, await calendar(ctx), ctx.state.user, query);
  });
  router.post(EVENTS, async (ctx: ApiContext) => {
    const body = await readJsonBody(ctx);
    await answerEvent(ctx, await insertEvent(await writer(ctx), body));
  });
  router.get(EVENT, (ctx: ApiContext) => answerEvent(ctx, ctx.params.eventId));
  router.put(EVENT, modify('replace'));
  router.patch(EVENT, modify('merge'));
  router.delete(EVENT, async (ctx: ApiContext) => {
    await deleteEvent(await writer(ctx), ctx.params.eventId);
    ctx.status = 204;
    ctx.body = null;
  });
  router.get(`${EVENT}/instances`, async (ctx: ApiContext) => {
    const params = windowParams(ctx);
    const { uri, stamp } = parseEventId(ctx.params.eventId);
    if (stamp !== undefined) throw badRequest('An instance has no instances of its own', 'eventId');
    const collection = await calendar(ctx);
    await findEvent(deps.dav, collection, ctx.state.user, ctx.params.eventId);
    ctx.body = await listInstances(deps.dav, collection, ctx.state.user, uri, { ...params, singleEvents: true, terms: [] });
  });
}
