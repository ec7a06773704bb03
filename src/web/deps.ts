import type { Accounts } from '../accounts/index.js';
import type { Config } from '../config.js';
import type { Authenticator } from '../http/auth.js';
import type { LoginThrottle } from '../http/login-throttle.js';
import type { Store } from '../store/types.js';
import type { Dav } from '../webdav/dav.js';
import type { WebSessions } from './session.js';

/** What the web UI works with: the server's own store, DAV, authenticator and login throttle. */
export interface WebDeps {
  store: Store;
  dav: Dav;
  config: Config;
  auth: Authenticator;
  throttle: LoginThrottle;
  sessions: WebSessions;
  accounts: Accounts;
}
