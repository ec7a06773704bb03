import { CSRF_FIELD } from '../csrf.js';
import { html } from '../html.js';
import { layout } from '../layout.js';

/** The page a browser gets at / before signing in. `name` refills the field after a refusal. */
export function loginPage(csrfToken: string, o: { error?: string; notice?: string; name?: string } = {}): string {
  return layout({
    title: 'Log in',
    error: o.error,
    notice: o.notice,
    narrow: true,
    body: html`<form class="panel" method="post" action="/web/login">
  <input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}">
  <div class="field">
    <label for="username">User name</label>
    <input type="text" id="username" name="username" value="${o.name ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
  </div>
  <div class="field">
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
  </div>
  <button type="submit">Log in</button>
  <p class="muted">Use your account password. App passwords are for calendar and contacts programs only.</p>
</form>`,
  });
}
