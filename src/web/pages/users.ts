import type { User } from '../../store/types.js';
import { html } from '../html.js';
import { csrfField, layout } from '../layout.js';
import type { SignedIn } from '../session.js';

export interface UsersView {
  who: SignedIn;
  users: User[];
  minPasswordLength: number;
  notice?: string;
  error?: string;
}

/** Where an action on a user is posted. */
export const userActionPath = (name: string, action: string) => `/web/users/${encodeURIComponent(name)}/${action}`;

const idFor = (name: string, field: string) => `user-${name}-${field}`.replace(/[^A-Za-z0-9_-]/g, '_');

export function usersPage(v: UsersView): string {
  return layout({
    title: 'Users',
    who: v.who,
    current: 'users',
    notice: v.notice,
    error: v.error,
    body: html`<section class="panel" aria-labelledby="add">
  <h2 id="add">Add a user</h2>
  <form method="post" action="/web/users">
    ${csrfField(v.who)}
    <div class="row">
      <div class="field"><label for="new-name">User name</label><input type="text" id="new-name" name="name" required autocapitalize="none" spellcheck="false" maxlength="64"></div>
      <div class="field"><label for="new-password">Password</label><input type="password" id="new-password" name="password" required minlength="${v.minPasswordLength}" autocomplete="new-password"></div>
    </div>
    <div class="row">
      <div class="field"><label for="new-email">E-mail (optional)</label><input type="text" id="new-email" name="email" inputmode="email" autocomplete="off"></div>
      <div class="field"><label for="new-display">Display name (optional)</label><input type="text" id="new-display" name="displayName" maxlength="200"></div>
    </div>
    <div class="row">
      <label class="check"><input type="checkbox" name="admin" value="yes"> Administrator (may manage users)</label>
      <button type="submit">Add user</button>
    </div>
  </form>
</section>
<section aria-labelledby="all">
  <h2 id="all">All users</h2>
  <ul class="cards">${v.users.map((u) => html`<li class="card" aria-labelledby="${idFor(u.username, 'h')}">
    <div class="card-head"><h3 id="${idFor(u.username, 'h')}">${u.username}</h3>
      ${u.admin && html`<span class="badge">admin</span>`}${u.disabled && html`<span class="badge">disabled</span>`}</div>
    <p class="muted">${u.displayName ?? ''}${u.displayName && u.email ? ' · ' : ''}${u.email ?? ''}</p>
    <details>
      <summary>Manage<span class="visually-hidden"> ${u.username}</span></summary>
      <form method="post" action="${userActionPath(u.username, 'password')}">
        ${csrfField(v.who)}
        <div class="row">
          <div class="field"><label for="${idFor(u.username, 'pw')}">New password</label><input type="password" id="${idFor(u.username, 'pw')}" name="password" required minlength="${v.minPasswordLength}" autocomplete="new-password"></div>
          <button type="submit" class="quiet">Reset password</button>
        </div>
      </form>
      <form method="post" action="${userActionPath(u.username, u.disabled ? 'enable' : 'disable')}" class="actions">
        ${csrfField(v.who)}<button type="submit" class="quiet">${u.disabled ? 'Enable' : 'Disable'}</button>
      </form>
      <form method="post" action="${userActionPath(u.username, 'delete')}">
        ${csrfField(v.who)}
        <div class="row">
          <label class="check"><input type="checkbox" name="confirm" value="yes" required> Delete ${u.username} and all their data</label>
          <button type="submit" class="danger">Delete</button>
        </div>
      </form>
    </details>
  </li>`)}</ul>
</section>`,
  });
}
