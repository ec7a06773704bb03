import type Router from '@koa/router';
import type { Context } from 'koa';
import { DavError } from '../webdav/errors.js';
import { checkLoginCsrf, loginToken } from './csrf.js';
import type { WebDeps } from './deps.js';
import { readForm } from './form.js';
import { loginPage } from './pages/login.js';
import { action, doneMessage, seeOther, sendHtml } from './request.js';

/**
 * Logging in with the account password (not an app password: those are for programs),
 * through the same throttle as Basic authentication, failures logged at warn the same way.
 */
export function signInRoutes(router: Router, deps: WebDeps, home: (ctx: Context) => Promise<void>): void {
  const { auth, throttle, sessions } = deps;

  router.get('/', async (ctx) => {
    if (await sessions.current(ctx)) return home(ctx);
    sendHtml(ctx, loginPage(loginToken(ctx), { notice: doneMessage(ctx, { 'logged-out': 'You are logged out.' }) }));
  });

  router.post('/web/login', async (ctx) => {
    const form = await readForm(ctx, deps.config.limits.maxRequestBytes);
    checkLoginCsrf(ctx, form);
    const name = form.text('username').trim();
    const password = form.text('password');
    const again = (status: number, error: string) => sendHtml(ctx, loginPage(loginToken(ctx), { error, name }), status);
    if (!name || !password) return again(400, 'Enter your user name and password.');
    try {
      throttle.check(ctx.ip, name);
    } catch (e) {
      if (!(e instanceof DavError)) throw e;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      return again(e.status, 'Too many failed logins. Wait a minute and try again.');
    }
    const user = await auth.ownPassword(name, password);
    if (!user || user.disabled) {
      await throttle.failed(ctx.ip, name);
      // 200, as a form shown again: a browser logs an error status as a console error.
      return again(200, 'The user name or password is not right.');
    }
    throttle.succeeded(name);
    await sessions.start(ctx, user);
    seeOther(ctx, '/');
  });

  router.post('/web/logout', action(deps, async (ctx) => {
    await sessions.end(ctx);
    seeOther(ctx, '/?done=logged-out');
  }));
}
