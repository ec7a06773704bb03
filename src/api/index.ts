import Router from '@koa/router';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { User } from '../store/types.js';
import { DavError } from '../webdav/errors.js';
import { registerCalendarRoutes } from './calendar-routes.js';
import { API_PREFIX, type ApiDeps, type ApiRouter } from './deps.js';
import { apiErrorOf } from './error-mapping.js';
import { ApiError, notFound } from './errors.js';
import { registerEventRoutes } from './event-routes.js';
import { registerWatchRoutes } from './watch.js';

// The Google-Calendar-v3-shaped JSON API under /calendar/v3: Google's own client works
// against it with rootUrl set to the server. It signs in like the DAV side (Basic, or
// an app password as a Bearer token) and answers every error in Google's JSON shape.

export interface CalendarApiDeps extends ApiDeps {
  /** The user the request's Authorization header names (Basic, or Bearer app password); undefined if none. Throws 429 while throttled. */
  authenticate(ctx: Koa.Context): Promise<User | undefined>;
  log: Logger;
}

const REALM = 'Davenport';

function loginRequired(): ApiError {
  return new ApiError(401, 'required', 'Login Required.', 'Authorization', 'header');
}

function answerError(ctx: Koa.Context, e: ApiError): void {
  ctx.status = e.status;
  if (e.status === 401) ctx.set('WWW-Authenticate', [`Bearer realm="${REALM}"`, `Basic realm="${REALM}", charset="UTF-8"`]);
  ctx.body = e.body();
}

/** Serves /calendar/v3/… and passes every other request on. */
export function calendarApi(deps: CalendarApiDeps): Koa.Middleware {
  const router: ApiRouter = new Router({ prefix: API_PREFIX });
  registerCalendarRoutes(router, deps);
  registerEventRoutes(router, deps);
  registerWatchRoutes(router, deps);
  const routes = router.routes() as unknown as Koa.Middleware;

  return async (ctx, next) => {
    if (ctx.path !== API_PREFIX && !ctx.path.startsWith(`${API_PREFIX}/`)) return next();
    try {
      const user = await deps.authenticate(ctx);
      if (!user) throw loginRequired();
      ctx.state.user = user;
      await routes(ctx, async () => {
        throw notFound();
      });
    } catch (e) {
      if (e instanceof DavError) for (const [name, value] of Object.entries(e.headers ?? {})) ctx.set(name, value); // Retry-After
      const error = apiErrorOf(e);
      if (error) return answerError(ctx, error);
      deps.log.error({ err: e, method: ctx.method, path: ctx.path }, 'unhandled error in the calendar API');
      answerError(ctx, new ApiError(500, 'backendError', 'Backend Error'));
    }
  };
}
