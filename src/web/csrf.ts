import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Form } from './form.js';
import { cookieAttributes, randomToken, readCookie } from './session.js';
import { WebError } from './web-error.js';

// Every form carries a token a page of another site cannot know: a signed-in form the
// session's token, the login form (no session yet, but logging a victim into an
// attacker's account is an attack too) a token also set as a cookie (double submit).

export const CSRF_FIELD = 'csrf';
const LOGIN_COOKIE = 'davenport_login';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Refuses (403) a form whose token is not `expected`. */
export function checkCsrf(form: Form, expected: string): void {
  if (!same(form.text(CSRF_FIELD), expected)) throw new WebError(403, 'This form has expired or did not come from this site. Reload the page and try again.');
}

/** The login form's token: the browser's login cookie, set now if it has none. */
export function loginToken(ctx: Context): string {
  const existing = readCookie(ctx, LOGIN_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken();
  ctx.append('Set-Cookie', `${LOGIN_COOKIE}=${token}; ${cookieAttributes(ctx, 3600)}`);
  return token;
}

export function checkLoginCsrf(ctx: Context, form: Form): void {
  checkCsrf(form, readCookie(ctx, LOGIN_COOKIE) ?? '');
}
