import type { Context } from 'koa';
import { checkCsrf } from './csrf.js';
import type { WebDeps } from './deps.js';
import { readForm, type Form } from './form.js';
import type { SignedIn } from './session.js';
import { WebError } from './web-error.js';

// The shapes of a UI request: a page (GET, signed in) and an action (POST, signed in,
// CSRF-checked), each optionally for administrators only. Nobody signed in: back to
// the login page at /.

export type PageHandler = (ctx: Context, who: SignedIn) => Promise<void>;
export type ActionHandler = (ctx: Context, who: SignedIn, form: Form) => Promise<void>;

export function sendHtml(ctx: Context, text: string, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = text;
}

/** After an action, the page to show (Post/Redirect/Get: reloading does not repeat the action). */
export function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.set('Location', location);
  ctx.body = '';
}

/** Also names the user for the access log, as the other entrances do. */
function requireAdmin(ctx: Context, who: SignedIn, adminOnly: boolean): void {
  ctx.state.user = who.user;
  if (adminOnly && !who.user.admin) throw new WebError(403, 'This page is for administrators only.');
}

export function page(deps: WebDeps, handler: PageHandler, o: { adminOnly?: boolean } = {}) {
  return async (ctx: Context) => {
    const who = await deps.sessions.current(ctx);
    if (!who) return seeOther(ctx, '/');
    requireAdmin(ctx, who, o.adminOnly ?? false);
    await handler(ctx, who);
  };
}

export function action(deps: WebDeps, handler: ActionHandler, o: { adminOnly?: boolean } = {}) {
  return async (ctx: Context) => {
    const who = await deps.sessions.current(ctx);
    const form = await readForm(ctx, deps.config.limits.maxRequestBytes);
    if (!who) return seeOther(ctx, '/');
    checkCsrf(form, who.csrfToken);
    requireAdmin(ctx, who, o.adminOnly ?? false);
    await handler(ctx, who, form);
  };
}

/** A fixed confirmation chosen by key (?done=…), so a link cannot make the page say anything else. */
export function doneMessage(ctx: Context, messages: Record<string, string>): string | undefined {
  const key = typeof ctx.query.done === 'string' ? ctx.query.done : '';
  return Object.hasOwn(messages, key) ? messages[key] : undefined;
}
