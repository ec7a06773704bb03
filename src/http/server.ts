import Router from '@koa/router';
import Koa from 'koa';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { registerCalDav } from '../caldav/index.js';
import { registerCardDav } from '../carddav/index.js';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import { createDav } from '../webdav/index.js';
import { DAV_ROOT } from '../webdav/paths.js';
import { calendarApi } from '../api/index.js';
import { Authenticator } from './auth.js';
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

/** The application with everything a node runs beside requests (notification delivery, maintenance); `stop` ends those. */
export async function createApp(config: Config, store: Store, log: Logger): Promise<{ app: Koa; dav: Dav; stop(): Promise<void> }> {
  const dav = createDav(store, { ...config.limits });
  registerCalDav(dav);
  registerCardDav(dav);
  const auth = new Authenticator(store, config.authCacheSeconds * 1000, (user) => dav.ensureDefaultCollections(user));

  const app = new Koa();
  const router = new Router();

  // RFC 6764 discovery: any method on the well-known URLs points at the DAV root.
  router.all(['/.well-known/caldav', '/.well-known/carddav'], (ctx) => {
    ctx.status = 301;
    ctx.set('Location', DAV_ROOT);
    ctx.body = '';
  });
  const notifications = await startNotifications({
    store, dav, config, log, router, authenticate: (authorization) => auth.authenticate(authorization),
  });
  const stopMaintenance = startMaintenance(store, config.syncRetentionDays, log);

  router.all(/.*/, async (ctx) => {
    const user = await auth.authenticate(ctx.get('Authorization') || undefined);
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
  app.use(calendarApi({ dav, config, log, authenticate: (authorization) => auth.authenticate(authorization, { bearer: true }) }));
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
