import { html, type Html } from '../html.js';
import { csrfField, layout } from '../layout.js';
import type { SignedIn } from '../session.js';

/** One calendar or address book as the page shows it. */
export interface CollectionView {
  /** The kind's name: 'calendar' or 'addressbook'. */
  kind: string;
  uri: string;
  name: string;
  /** #rrggbb, or null when none is set. */
  color: string | null;
  /** Its members are made by the server (the birthday calendar): nothing to import. */
  generated: boolean;
  /** The absolute URL to give a client. */
  url: string;
  /** Calendars only: its secret public feed links. */
  feeds?: { id: number; url: string; webcalUrl: string }[];
}

export interface CollectionsView {
  who: SignedIn;
  calendars: CollectionView[];
  addressBooks: CollectionView[];
  /** The server's DAV root as clients that discover collections want it. */
  davUrl: string;
  /** Whether the birthday calendar is on; undefined when the server has none to offer. */
  birthdays?: boolean;
  notice?: string;
  error?: string;
}

const KIND_WORDS: Record<string, { one: string; files: string; accept: string }> = {
  calendar: { one: 'calendar', files: '.ics', accept: '.ics,text/calendar' },
  addressbook: { one: 'address book', files: '.vcf', accept: '.vcf,text/vcard,text/x-vcard' },
};

const DEFAULT_COLOR = '#2f5bd3';

/** Where a collection's actions are posted. */
export const collectionActionPath = (c: { kind: string; uri: string }, action: string) =>
  `/web/collections/${encodeURIComponent(c.kind)}/${encodeURIComponent(c.uri)}/${action}`;

/** The colour dot: an SVG fill (an attribute, not an inline style, which the CSP forbids). */
const swatch = (color: string | null) =>
  html`<svg class="swatch" viewBox="0 0 16 16" aria-hidden="true" focusable="false"><circle cx="8" cy="8" r="7" fill="${color ?? 'currentColor'}"/></svg>`;

/** A field id unique on the page: the same form repeats per collection. */
const fieldId = (c: CollectionView, field: string) => `${c.kind}-${c.uri}-${field}`.replace(/[^A-Za-z0-9_-]/g, '_');

function collectionCard(who: SignedIn, c: CollectionView): Html {
  const words = KIND_WORDS[c.kind]!;
  const headingId = fieldId(c, 'name');
  return html`<li class="card" aria-labelledby="${headingId}">
  <div class="card-head">${c.kind === 'calendar' && swatch(c.color)}<h3 id="${headingId}">${c.name}</h3></div>
  <div>
    <label for="${fieldId(c, 'url')}">URL for your ${words.one} program</label>
    <input type="url" id="${fieldId(c, 'url')}" value="${c.url}" readonly>
  </div>
  ${c.feeds && feedLinks(who, c, c.feeds)}
  <div class="actions">
    <a class="button quiet" href="${collectionActionPath(c, 'export')}" download>Export ${words.files}</a>
    ${c.feeds?.length === 0 && html`<form method="post" action="${collectionActionPath(c, 'feed')}">${csrfField(who)}<button type="submit" class="quiet">Make a public link</button></form>`}
  </div>
  ${c.generated && html`<p class="muted">Made by the server from your address books; read only.</p>`}
  <details>
    <summary>${c.generated ? 'Edit or delete' : 'Edit, import or delete'}<span class="visually-hidden"> ${c.name}</span></summary>
    <form method="post" action="${collectionActionPath(c, 'update')}">
      ${csrfField(who)}
      <div class="row">
        <div class="field"><label for="${fieldId(c, 'rename')}">Name</label>
          <input type="text" id="${fieldId(c, 'rename')}" name="name" value="${c.name}" required maxlength="200"></div>
        ${c.kind === 'calendar' && html`<div class="field narrow"><label for="${fieldId(c, 'color')}">Colour</label>
          <input type="color" id="${fieldId(c, 'color')}" name="color" value="${c.color ?? DEFAULT_COLOR}"></div>`}
        <button type="submit" class="quiet">Save</button>
      </div>
    </form>
    ${!c.generated && html`<form method="post" action="${collectionActionPath(c, 'import')}" enctype="multipart/form-data">
      ${csrfField(who)}
      <div class="row">
        <div class="field"><label for="${fieldId(c, 'file')}">Import a ${words.files} file</label>
          <input type="file" id="${fieldId(c, 'file')}" name="file" accept="${words.accept}" required></div>
        <button type="submit" class="quiet">Import</button>
      </div>
    </form>`}
    <form method="post" action="${collectionActionPath(c, 'delete')}">
      ${csrfField(who)}
      <div class="row">
        <label class="check"><input type="checkbox" name="confirm" value="yes" required> Delete “${c.name}” and everything in it</label>
        <button type="submit" class="danger">Delete</button>
      </div>
    </form>
  </details>
</li>`;
}

function feedLinks(who: SignedIn, c: CollectionView, links: NonNullable<CollectionView['feeds']>): Html {
  return html`${links.map((link) => html`<div>
    <label for="${fieldId(c, `feed-${link.id}`)}">Public read-only link (anyone who has it can subscribe)</label>
    <input type="url" id="${fieldId(c, `feed-${link.id}`)}" value="${link.url}" readonly>
    <div class="actions">
      <a class="button quiet" href="${link.webcalUrl}">Subscribe</a>
      <form method="post" action="${collectionActionPath(c, 'feed-revoke')}">${csrfField(who)}<input type="hidden" name="id" value="${link.id}"><button type="submit" class="quiet">Revoke link</button></form>
    </div>
  </div>`)}`;
}

function newCollectionForm(who: SignedIn, kind: string): Html {
  const words = KIND_WORDS[kind]!;
  return html`<details class="panel">
  <summary>New ${words.one}</summary>
  <form method="post" action="/web/collections">
    ${csrfField(who)}
    <input type="hidden" name="kind" value="${kind}">
    <div class="row">
      <div class="field"><label for="new-${kind}-name">Name</label><input type="text" id="new-${kind}-name" name="name" required maxlength="200"></div>
      ${kind === 'calendar' && html`<div class="field narrow"><label for="new-${kind}-color">Colour</label><input type="color" id="new-${kind}-color" name="color" value="${DEFAULT_COLOR}"></div>`}
      <button type="submit">Create ${words.one}</button>
    </div>
  </form>
</details>`;
}

function section(who: SignedIn, title: string, id: string, kind: string, items: CollectionView[]): Html {
  return html`<section aria-labelledby="${id}">
  <h2 id="${id}">${title}</h2>
  ${items.length === 0 ? html`<p class="muted">None yet.</p>` : html`<ul class="cards">${items.map((c) => collectionCard(who, c))}</ul>`}
  ${newCollectionForm(who, kind)}
</section>`;
}

export function collectionsPage(v: CollectionsView): string {
  return layout({
    title: 'Calendars & contacts',
    who: v.who,
    current: 'collections',
    notice: v.notice,
    error: v.error,
    body: html`<section class="panel" aria-labelledby="setup">
  <h2 id="setup">Connect a device</h2>
  <p>Most programs find everything from the server address and your user name <code>${v.who.user.username}</code>:
    <code>${v.davUrl}</code>. Use an <a href="/web/app-passwords">app password</a> for each program.</p>
  <div class="actions"><a class="button" href="/web/apple-profile" download>Apple profile</a>
    <span class="muted">for iPhone, iPad and Mac: installs calendars and contacts (you enter an app password when asked).</span></div>
</section>
${section(v.who, 'Calendars', 'calendars', 'calendar', v.calendars)}
${section(v.who, 'Address books', 'addressbooks', 'addressbook', v.addressBooks)}
${v.birthdays !== undefined && html`<section class="panel" aria-labelledby="birthdays">
  <h2 id="birthdays">Birthdays</h2>
  <form method="post" action="/web/birthdays" class="row">
    ${csrfField(v.who)}
    <label class="check"><input type="checkbox" name="enabled" value="yes"${v.birthdays ? html` checked` : ''}> Show a read-only birthday calendar made from my address books</label>
    <button type="submit" class="quiet">Save</button>
  </form>
</section>`}`,
  });
}
