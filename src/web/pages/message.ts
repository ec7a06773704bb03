import { html } from '../html.js';
import { layout } from '../layout.js';
import type { SignedIn } from '../session.js';

/** A page that only says something: an error, a refusal. */
export function messagePage(title: string, message: string, who?: SignedIn): string {
  return layout({ title, who, error: message, body: html`<p><a href="/">Back to the start page</a></p>` });
}
