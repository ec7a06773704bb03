import type { AppPassword } from '../../store/types.js';
import { html } from '../html.js';
import { csrfField, layout } from '../layout.js';
import type { SignedIn } from '../session.js';

export interface AppPasswordsView {
  who: SignedIn;
  passwords: AppPassword[];
  /** Just made: shown this once, never again. */
  created?: { label: string; password: string };
  notice?: string;
  error?: string;
}

const when = (at: number | null) =>
  at === null ? html`<span class="muted">never</span>` : html`<time datetime="${new Date(at).toISOString()}">${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;

export function appPasswordsPage(v: AppPasswordsView): string {
  return layout({
    title: 'App passwords',
    who: v.who,
    current: 'app-passwords',
    notice: v.notice,
    error: v.error,
    body: html`<p>Give each calendar or contacts program its own password: your account password stays private, and you can revoke one program without touching the others.</p>
${v.created && html`<section class="panel" aria-labelledby="created">
  <h2 id="created">Password for “${v.created.label}”</h2>
  <p>Enter it in the program now, with the user name <code>${v.who.user.username}</code>. It is shown only this once.</p>
  <output class="secret" aria-labelledby="created">${v.created.password}</output>
</section>`}
<section class="panel" aria-labelledby="new">
  <h2 id="new">New app password</h2>
  <form method="post" action="/web/app-passwords" class="row">
    ${csrfField(v.who)}
    <div class="field"><label for="label">Name</label><input type="text" id="label" name="label" placeholder="e.g. iPhone, Thunderbird" required maxlength="100"></div>
    <button type="submit">Create</button>
  </form>
</section>
<section aria-labelledby="list">
  <h2 id="list">Your app passwords</h2>
  ${v.passwords.length === 0 ? html`<p class="muted">None yet.</p>` : html`<table>
    <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>${v.passwords.map((p) => html`<tr>
      <td>${p.label}</td>
      <td data-label="Created">${when(p.createdAt)}</td>
      <td data-label="Last used">${when(p.lastUsedAt)}</td>
      <td><form method="post" action="/web/app-passwords/revoke">${csrfField(v.who)}<input type="hidden" name="label" value="${p.label}"><button type="submit" class="danger" aria-label="Revoke ${p.label}">Revoke</button></form></td>
    </tr>`)}</tbody>
  </table>`}
</section>`,
  });
}
