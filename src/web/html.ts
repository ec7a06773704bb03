// The one way the web UI writes HTML: a tagged template that escapes every value it is
// given unless the value is itself Html (made by this template). A page can therefore
// only contain markup its source code wrote; whatever a user typed arrives as text.

const brand = Symbol('html');

/** Markup made by `html` (or `raw`): safe to place in a page as it is. */
export interface Html {
  readonly [brand]: true;
  readonly text: string;
}

/** What a template may interpolate: text (escaped), numbers, Html, nothing (false, null, undefined) or a list of these. */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

const made = (text: string): Html => ({ [brand]: true, text });

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && brand in value;
}

function render(value: HtmlValue): string {
  if (value === false || value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (isHtml(value)) return value.text;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!));
  return made(out);
}

/** A fixed piece of markup written in this code base (never user input). */
export function raw(markup: string): Html {
  return made(markup);
}
