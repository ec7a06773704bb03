import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { registerCalDav } from '../caldav/index.js';
import { registerCardDav } from '../carddav/index.js';
import type { Config } from '../config.js';
import type { Store, User } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import { createDav } from '../webdav/index.js';
import { DAV_ROOT } from '../webdav/paths.js';
import { calendarApi } from '../api/index.js';
import { Authenticator, claimedName } from './auth.js';
import { LoginThrottle } from './login-throttle.js';
import { errorHandler } from './errors.js';
import { startNotifications } from '../push/index.js';
import { startMaintenance } from '../store/maintenance.js';

export interface RunningServer {
  url: string;
  port: number;
  dav: Dav;
  log: Logger;
  /** Stops accepting, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

const REALM = 'Davenport';

/** The WebDAV server with CalDAV and CardDAV: what every request and `addUser` work on. */
export function createServerDav(store: Store, limits: Config['limits']): Dav {
  const dav = createDav(store, { ...limits });
  registerCalDav(dav);
  registerCardDav(dav);
  return dav;
}

/** Creates a user with the default calendar and address book, as `npm run user -- add` and the first start do. */
export async function addUser(store: Store, limits: Config['limits'], name: string, passwordHash: string, email: string | null, displayName: string | null): Promise<User> {
  const user = await store.createUser(name, passwordHash, email, displayName);
  await createServerDav(store, limits).createDefaultCollections(user);
  return user;
}

/** The application with everything a node runs beside requests (notification delivery, maintenance); `stop` ends those. */
export async function createApp(config: Config, store: Store, log: Logger): Promise<{ app: Koa; dav: Dav; stop(): Promise<void> }> {
  const dav = createServerDav(store, config.limits);
  const auth = new Authenticator(store, config.authCacheSeconds * 1000);
  const throttle = new LoginThrottle(log);
  /** The user a request's credentials name, as every entrance checks them: throttled, failures logged. */
  const signIn = async (ctx: Context, bearer: boolean): Promise<User | undefined> => {
    const authorization = ctx.get('Authorization') || undefined;
    if (!authorization) return undefined;
    const name = claimedName(authorization);
    throttle.check(ctx.ip, name);
    const user = await auth.authenticate(authorization, { bearer });
    if (user) throttle.succeeded(name);
    else await throttle.failed(ctx.ip, name);
    return user;
  };

  const app = new Koa({ proxy: config.trustProxy });
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

  router.all(/.*/, async (ctx) => {
    const user = await signIn(ctx, false);
    if (!user) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'Authentication required\n';
      return;
    }
    await dav.handle(ctx, user);
  });

  app.use(async (ctx, next) => {
    const started = performance.now();
    await next();
    log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(errorHandler(log));
  app.use(calendarApi({ dav, config, log, authenticate: (ctx) => signIn(ctx, true) }));
  app.use(router.routes());
  const stop = async () => {
    stopMaintenance();
    await notifications.stop();
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
