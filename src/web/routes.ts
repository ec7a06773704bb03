import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { Accounts } from '../accounts/index.js';
import { appPasswordRoutes } from './app-passwords.js';
import { collectionRoutes } from './collections.js';
import type { WebDeps } from './deps.js';
import { messagePage } from './pages/message.js';
import { sendHtml } from './request.js';
import { setSecurityHeaders } from './security-headers.js';
import { WebSessions } from './session.js';
import { signInRoutes } from './sign-in.js';
import { serveStatic } from './static.js';
import { userRoutes } from './users.js';
import { WebError } from './web-error.js';

/** A browser's request: GET / (login or start page), its favicon, and everything under /web/. Other methods on / stay DAV's (401 + Basic challenge). */
function isForUi(ctx: Context): boolean {
  return ctx.path.startsWith('/web/') || ((ctx.path === '/' || ctx.path === '/favicon.ico') && (ctx.method === 'GET' || ctx.method === 'HEAD'));
}

/** The web UI as koa middleware: answers its own paths, passes every other request on. */
export function webUi(server: Omit<WebDeps, 'sessions' | 'accounts'>) {
  const deps: WebDeps = {
    ...server,
    sessions: new WebSessions(server.store, server.config.webSessionSeconds),
    accounts: new Accounts(server.dav, server.config.minPasswordLength),
  };
  const router = new Router();
  router.get(['/web/static/:file', '/favicon.ico'], (ctx, next) => (serveStatic(ctx) ? undefined : next()));
  const { home } = collectionRoutes(router, deps);
  signInRoutes(router, deps, home);
  appPasswordRoutes(router, deps);
  userRoutes(router, deps);
  const routes = router.routes() as unknown as Middleware;
  const notFound = async (ctx: Context) => sendHtml(ctx, messagePage('Not found', 'There is no such page.'), 404);

  return async (ctx: Context, next: Next) => {
    if (!isForUi(ctx)) return next();
    setSecurityHeaders(ctx);
    try {
      await routes(ctx, () => notFound(ctx));
    } catch (e) {
      if (!(e instanceof WebError)) throw e;
      sendHtml(ctx, messagePage(e.status === 403 ? 'Not allowed' : 'Something is not right', e.message), e.status);
    }
  };
}
