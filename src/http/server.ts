import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { registerCalDav } from '../caldav/index.js';
import { registerCardDav } from '../carddav/index.js';
import { registerBirthdays } from '../birthdays/index.js';
import type { Config } from '../config.js';
import type { Store, User } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import { createDav } from '../webdav/index.js';
import { DAV_ROOT } from '../webdav/paths.js';
import { calendarApi } from '../api/index.js';
import { feedRoute } from '../feeds/index.js';
import { Authenticator, BASIC_CHALLENGE, claimedName, refusedUserName } from './auth.js';
import { accessLog } from './access-log.js';
import { healthCheck } from './health.js';
import { createMetrics } from './metrics.js';
import { LoginThrottle } from './login-throttle.js';
import { errorHandler } from './errors.js';
import { startNotifications } from '../push/index.js';
import { startMaintenance } from '../store/maintenance.js';
import { webUi } from '../web/routes.js';
import { registerScheduling } from '../scheduling/index.js';
import { createOutsideDelivery } from '../scheduling/imip-out.js';
import { startImip } from '../scheduling/imip.js';

export interface RunningServer {
  url: string;
  port: number;
  dav: Dav;
  log: Logger;
  /** Stops accepting, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

/** The WebDAV server with CalDAV and CardDAV: what every request and the CLI work on. */
export function createServerDav(store: Store, limits: Config['limits'], imip?: Config['imip']): Dav {
  const dav = createDav(store, { ...limits });
  registerCalDav(dav);
  registerCardDav(dav);
  registerBirthdays(dav);
  // Outside attendees by mail (iMIP); without imip settings they get a status saying no mail server is configured.
  registerScheduling(dav, { outside: createOutsideDelivery(imip) });
  return dav;
}

/** The application with everything a node runs beside requests (notification delivery, maintenance); `stop` ends those. */
export async function createApp(config: Config, store: Store, log: Logger): Promise<{ app: Koa; dav: Dav; stop(): Promise<void> }> {
  const dav = createServerDav(store, config.limits, config.imip);
  const auth = new Authenticator(store, config.authCacheSeconds * 1000);
  const throttle = new LoginThrottle(log);
  /** The user a request's credentials name, as every entrance checks them: throttled, failures logged. */
  const signIn = async (ctx: Context, bearer: boolean): Promise<User | undefined> => {
    const authorization = ctx.get('Authorization') || undefined;
    if (!authorization) return undefined;
    const name = claimedName(authorization);
    throttle.check(ctx.ip, name);
    const user = await auth.authenticate(authorization, { bearer });
    if (user) {
      throttle.succeeded(name);
      ctx.state.user = user; // for the access log
    } else await throttle.failed(ctx.ip, name, await refusedUserName(store, authorization));
    return user;
  };

  // maxIpsCount 1: the client is who our proxy says it is (the last X-Forwarded-For entry), not what the client wrote before it.
  const app = new Koa({ proxy: config.trustProxy, maxIpsCount: 1 });
  const router = new Router();

  // RFC 6764 discovery: any method on the well-known URLs points at the DAV root.
  router.all(['/.well-known/caldav', '/.well-known/carddav'], (ctx) => {
    ctx.status = 301;
    ctx.set('Location', DAV_ROOT);
    ctx.body = '';
  });
  const notifications = await startNotifications({
    store, dav, config, log, router, authenticate: (ctx) => signIn(ctx, false),
  });
  const stopMaintenance = startMaintenance(store, config.syncRetentionDays, log);
  const imip = await startImip(dav, config.imip, log);

  router.all(/.*/, async (ctx) => {
    const user = await signIn(ctx, false);
    if (!user) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', BASIC_CHALLENGE);
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'Authentication required\n';
      return;
    }
    await dav.handle(ctx, user);
  });

  const metrics = createMetrics({ store, log, authenticate: (ctx) => signIn(ctx, false) });
  app.use(accessLog(log));
  app.use(metrics.record);
  app.use(errorHandler(log));
  app.use(healthCheck(store, log));
  app.use(metrics.serve);
  app.use(calendarApi({ dav, config, log, authenticate: (ctx) => signIn(ctx, true) }));
  app.use(feedRoute(dav)); // public calendar links: /feeds/<secret>.ics, no sign-in
  app.use(webUi({ store, dav, config, auth, throttle })); // the web UI: GET / and /web/…
  app.use(router.routes());
  const stop = async () => {
    stopMaintenance();
    await notifications.stop();
    await imip.stop();
  };
  return { app, dav, stop };
}

export async function startServer(config: Config, store: Store, log: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  const { app, dav, stop } = await createApp(config, store, log);
  const server: Server = app.listen({ host: config.host, port: config.port });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    dav,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          stop().finally(() => store.close()).then(resolve, resolve);
        });
        server.closeIdleConnections();
        // Requests still running after the grace period are cut off.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      }),
  };
}
