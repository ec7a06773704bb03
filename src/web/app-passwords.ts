import type Router from '@koa/router';
import type { Context } from 'koa';
import { issueAppPassword } from '../http/auth.js';
import type { WebDeps } from './deps.js';
import { appPasswordsPage, type AppPasswordsView } from './pages/app-passwords.js';
import { action, doneMessage, page, seeOther, sendHtml } from './request.js';
import type { SignedIn } from './session.js';

const DONE = { revoked: 'Revoked: programs using that password are refused from now on.' };

/** App passwords, made and revoked exactly as the CLI does (src/http/auth.ts, the user store). */
export function appPasswordRoutes(router: Router, deps: WebDeps): void {
  const { store } = deps;
  const show = async (ctx: Context, who: SignedIn, extra: Partial<AppPasswordsView> = {}, status = 200) =>
    sendHtml(ctx, appPasswordsPage({ who, passwords: await store.listAppPasswords(who.user.id), ...extra }), status);

  router.get('/web/app-passwords', page(deps, (ctx, who) => show(ctx, who, { notice: doneMessage(ctx, DONE) })));

  router.post('/web/app-passwords', action(deps, async (ctx, who, form) => {
    const label = form.text('label').trim();
    if (label === '' || label.length > 100) return show(ctx, who, { error: 'Give the password a name of 1 to 100 characters.' }, 400);
    const password = await issueAppPassword(store, who.user, label);
    if (!password) return show(ctx, who, { error: `You already have an app password named “${label}”.` }, 409);
    // Answered directly, not redirected: the password is in this response and nowhere else.
    await show(ctx, who, { created: { label, password } });
  }));

  router.post('/web/app-passwords/revoke', action(deps, async (ctx, who, form) => {
    if (!(await store.removeAppPassword(who.user.id, form.text('label')))) {
      return show(ctx, who, { error: 'There is no app password with that name.' }, 404);
    }
    seeOther(ctx, '/web/app-passwords?done=revoked');
  }));
}
