import { Accounts } from '../accounts/accounts.js';
import { loadConfig, type Config } from '../config.js';
import { openStore } from '../store/open.js';
import type { Store, User } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';

/** Runs fn on the configured store (migrated on opening, as the server does), closing it after. */
export async function withStore<T>(fn: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

/**
 * The WebDAV server as a running node has it, for commands that write members: writes
 * bump sync tokens and queue notifications, which the server (any node) delivers.
 * Loaded on demand, so commands that only read the store start fast.
 */
export async function serverDav(store: Store, config: Config): Promise<Dav> {
  const [{ createServerDav }, { queueNotifications }] = await Promise.all([import('../http/server.js'), import('../push/delivery.js')]);
  const dav = createServerDav(store, config.limits, config.imip);
  dav.addChangeListener(queueNotifications([]));
  return dav;
}

/** User management with the server's rules; the protocol stack is loaded only when a user is added. */
export function accountsOn(store: Store, config: Config): Accounts {
  const host = { store, createDefaultCollections: async (user: User) => (await serverDav(store, config)).createDefaultCollections(user) };
  return new Accounts(host, config.minPasswordLength);
}
