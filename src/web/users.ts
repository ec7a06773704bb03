import type Router from '@koa/router';
import type { Context } from 'koa';
import { AccountError } from '../accounts/index.js';
import type { WebDeps } from './deps.js';
import { usersPage } from './pages/users.js';
import { action, doneMessage, page, seeOther, sendHtml, type ActionHandler } from './request.js';
import type { SignedIn } from './session.js';

const DONE = {
  added: 'User added.',
  password: 'Password changed; the user is logged out of the web UI everywhere.',
  disabled: 'User disabled.',
  enabled: 'User enabled.',
  deleted: 'User deleted.',
};

/** The web admin: the same account rules as the CLI (src/accounts), for administrators only. */
export function userRoutes(router: Router, deps: WebDeps): void {
  const { accounts, config } = deps;
  const show = async (ctx: Context, who: SignedIn, o: { notice?: string; error?: string } = {}, status = 200) =>
    sendHtml(ctx, usersPage({ who, users: await accounts.list(), minPasswordLength: config.minPasswordLength, ...o }), status);

  /** An admin action; an AccountError (a rule refused it) is shown on the page. */
  const adminAction = (handler: ActionHandler) =>
    action(deps, async (ctx, who, form) => {
      try {
        await handler(ctx, who, form);
      } catch (e) {
        if (!(e instanceof AccountError)) throw e;
        await show(ctx, who, { error: e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.' }, 400);
      }
    }, { adminOnly: true });
  const name = (ctx: Context) => ctx.params.name ?? '';

  router.get('/web/users', page(deps, (ctx, who) => show(ctx, who, { notice: doneMessage(ctx, DONE) }), { adminOnly: true }));

  router.post('/web/users', adminAction(async (ctx, _who, form) => {
    await accounts.create({
      name: form.text('name').trim(), password: form.text('password'),
      email: form.text('email'), displayName: form.text('displayName'), admin: form.text('admin') === 'yes',
    });
    seeOther(ctx, '/web/users?done=added');
  }));

  router.post('/web/users/:name/password', adminAction(async (ctx, _who, form) => {
    await accounts.setPassword(name(ctx), form.text('password'));
    seeOther(ctx, '/web/users?done=password');
  }));

  for (const [path, disabled] of [['disable', true], ['enable', false]] as const) {
    router.post(`/web/users/:name/${path}`, adminAction(async (ctx) => {
      await accounts.setDisabled(name(ctx), disabled);
      seeOther(ctx, `/web/users?done=${disabled ? 'disabled' : 'enabled'}`);
    }));
  }

  router.post('/web/users/:name/delete', adminAction(async (ctx, _who, form) => {
    if (form.text('confirm') !== 'yes') throw new AccountError('tick the box to confirm the deletion');
    await accounts.delete(name(ctx));
    seeOther(ctx, '/web/users?done=deleted');
  }));
}
