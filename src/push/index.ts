import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Store, User } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import { queueNotifications, startDeliveryWorker } from './delivery.js';
import type { Transport } from './transport.js';
import { startWebDavPush } from './webdav-push.js';
import { webHookTransport } from './web-hook.js';

/** What the notification layer hooks into. */
export interface NotificationDeps {
  store: Store;
  dav: Dav;
  config: Config;
  log: Logger;
  /** Routes outside the DAV tree (push registrations' URLs), mounted before it. */
  router: Router;
  /** The request's Basic credentials → user, as the DAV side checks them (throws 429 while throttled). */
  authenticate(ctx: Context): Promise<User | undefined>;
}

export interface Notifications {
  /** Delivers no more; resolves once deliveries in flight have ended. */
  stop(): Promise<void>;
}

/**
 * Web-hook channels and WebDAV-Push: every write queues notifications for the
 * subscriptions to what it changed (delivery.ts), and this node's delivery worker sends
 * them through their transport.
 */
export async function startNotifications(deps: NotificationDeps): Promise<Notifications> {
  const transports: Transport[] = [webHookTransport(deps.store, deps.config.notifications), await startWebDavPush(deps)];
  deps.dav.addChangeListener(queueNotifications(transports));
  const worker = startDeliveryWorker(deps.store, transports, deps.config.notifications, deps.log);
  return { stop: () => worker.stop() };
}
