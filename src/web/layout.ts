import { CSRF_FIELD } from './csrf.js';
import { html, type Html } from './html.js';
import type { SignedIn } from './session.js';
import { ICON_PATH, STYLESHEET_PATH } from './static.js';

export interface PageOptions {
  title: string;
  /** Who is signed in; absent on the login page. */
  who?: SignedIn;
  /** The navigation entry to mark as the current page. */
  current?: 'collections' | 'app-passwords' | 'users';
  /** A confirmation (role=status) or a problem (role=alert) shown above the content. */
  notice?: string;
  error?: string;
  /** A narrow column (the login form). */
  narrow?: boolean;
  body: Html;
}

/** A hidden field with the session's CSRF token: every form of a signed-in page has one. */
export function csrfField(who: SignedIn): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${who.csrfToken}">`;
}

function navigation(who: SignedIn, current: PageOptions['current']): Html {
  const item = (key: NonNullable<PageOptions['current']>, href: string, label: string) =>
    html`<li><a href="${href}"${current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="Main">
      <ul>
        ${item('collections', '/', 'Calendars & contacts')}
        ${item('app-passwords', '/web/app-passwords', 'App passwords')}
        ${who.user.admin && item('users', '/web/users', 'Users')}
      </ul>
    </nav>
    <form class="logout" method="post" action="/web/logout">${csrfField(who)}<button type="submit" class="quiet">Log out</button></form>`;
}

/** The frame of every page: landmarks (banner, navigation, main, contentinfo), one h1, a skip link. */
export function layout(o: PageOptions): string {
  return '<!doctype html>\n' + html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${o.title} · Davenport</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="banner">
  <div class="wrap bar">
    <a class="brand" href="/"><span class="logo" aria-hidden="true"></span>Davenport</a>
    ${o.who && html`<span class="who">Signed in as <strong>${o.who.user.username}</strong></span>`}
    ${o.who && navigation(o.who, o.current)}
  </div>
</header>
<main id="main" class="wrap${o.narrow ? ' column' : ''}" tabindex="-1">
<h1>${o.title}</h1>
${o.notice && html`<p class="notice" role="status">${o.notice}</p>`}
${o.error && html`<p class="error" role="alert">${o.error}</p>`}
${o.body}
</main>
<footer class="wrap foot"><p>Davenport — your calendars and contacts, on your server.</p></footer>
</body>
</html>
`.text;
}
